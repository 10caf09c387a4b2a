package io.selfheal.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses configuration values; every error names the key it came from. */
public final class ConfigValues {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");

    private ConfigValues() {
    }

    /** "500ms", "10s", "5m", "1h", "2d", or ISO-8601 ("PT5M"). A bare number has no unit and is refused. */
    public static Duration duration(String key, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(v);
        if (m.matches()) {
            double amount = Double.parseDouble(m.group(1));
            double millis = switch (m.group(2)) {
                case "ms" -> amount;
                case "s" -> amount * 1_000;
                case "m" -> amount * 60_000;
                case "h" -> amount * 3_600_000;
                default -> amount * 86_400_000;
            };
            if (millis > Long.MAX_VALUE / 2) {
                throw new ConfigException(key, "Invalid duration '" + value + "' for " + key + ": too large");
            }
            return Duration.ofMillis(Math.round(millis));
        }
        if (v.startsWith("pt") || v.startsWith("p")) {
            try {
                Duration d = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
                if (d.isNegative()) {
                    throw new ConfigException(key, "Invalid duration '" + value + "' for " + key + ": negative");
                }
                return d;
            } catch (DateTimeParseException e) {
                // fall through to the common message
            }
        }
        throw new ConfigException(key, "Invalid duration '" + value + "' for " + key
                + ": expected a number with a unit, such as 500ms, 10s, 5m or 1h");
    }

    public static int integer(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (RuntimeException e) {
            throw new ConfigException(key, "Invalid integer '" + value + "' for " + key);
        }
    }

    public static double decimal(String key, String value) {
        try {
            double d = Double.parseDouble(value.trim());
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (RuntimeException e) {
            throw new ConfigException(key, "Invalid number '" + value + "' for " + key);
        }
    }

    public static boolean bool(String key, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(key, "Invalid boolean '" + value + "' for " + key + ": expected true or false");
        };
    }
}
