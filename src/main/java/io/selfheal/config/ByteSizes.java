package io.selfheal.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses sizes such as {@code 10MB}, {@code 512KB}, {@code 1GB} or a plain byte count; errors name the key. */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|mb|gb)?");

    private ByteSizes() {
    }

    public static long parse(String key, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw new ConfigException(key, "Invalid size '" + value + "' for " + key
                    + ": expected a byte count or a number with KB, MB or GB (1KB = 1024 bytes)");
        }
        long unit = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "kb" -> 1024L;
            case "mb" -> 1024L * 1024;
            case "gb" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ConfigException(key, "Invalid size '" + value + "' for " + key + ": too large");
        }
    }

    /** "10MB" for 10485760, "1500B" for 1500: how the limit is shown in errors. */
    public static String human(long bytes) {
        if (bytes >= 1024L * 1024 * 1024 && bytes % (1024L * 1024 * 1024) == 0) {
            return bytes / (1024L * 1024 * 1024) + "GB";
        }
        if (bytes >= 1024L * 1024 && bytes % (1024L * 1024) == 0) {
            return bytes / (1024L * 1024) + "MB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return bytes / 1024 + "KB";
        }
        return bytes + "B";
    }
}
