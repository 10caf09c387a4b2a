package io.selfheal.config;

import java.time.Duration;

/** Range checks that several sections share; each error names the key and says what the value must be. */
public final class ConfigChecks {
    private ConfigChecks() {
    }

    /** {@code meaning} says what the number counts, e.g. "probes let through". */
    public static int atLeast(String key, int value, int min, String meaning) {
        if (value < min) {
            throw new ConfigException(key, "Invalid value " + value + " for " + key + ": must be at least " + min
                    + " (" + meaning + ")");
        }
        return value;
    }

    /** A growth factor: each wait is this many times the last one. */
    public static double multiplier(String key, double value) {
        if (!(value >= 1.0) || Double.isInfinite(value)) {
            throw new ConfigException(key, "Invalid value " + value + " for " + key
                    + ": must be a finite number of at least 1");
        }
        return value;
    }

    public static Duration positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new ConfigException(key, "Invalid value " + d + " for " + key + ": must be positive");
        }
        return d;
    }

    public static Duration nonNegative(String key, Duration d) {
        if (d == null || d.isNegative()) {
            throw new ConfigException(key, "Invalid value " + d + " for " + key + ": must not be negative");
        }
        return d;
    }

    /** For waits handed to timers that count whole milliseconds. */
    public static Duration atLeastOneMilli(String key, Duration d) {
        if (d == null || d.toMillis() < 1) {
            throw new ConfigException(key, "Invalid value " + d + " for " + key + ": must be at least 1ms");
        }
        return d;
    }
}
