package io.selfheal.classify;

import io.selfheal.config.ConfigException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What kind of failure an attempt ended in, and so whether and how it may be retried. */
public enum FailureClass {
    /** A blip: retry with exponential backoff and jitter. */
    TRANSIENT,
    /** Needs a longer wait: Retry-After, rate limiting, an open breaker, a restarting service. */
    RECOVERABLE,
    /** No retry can fix it. */
    PERMANENT;

    /** Parses a configured value, naming the key in the error so start-up can say what is wrong. */
    public static FailureClass parse(String key, String value) {
        String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        for (FailureClass c : values()) {
            if (c.name().equals(v)) {
                return c;
            }
        }
        throw new ConfigException(key, "Invalid value '" + value + "' for " + key + ": expected one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
}
