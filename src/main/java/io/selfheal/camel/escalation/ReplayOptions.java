package io.selfheal.camel.escalation;

import java.time.Duration;

/**
 * How to replay a parked message. Nulls mean: its own route, the configured budget.
 *
 * @param maxAttempts a larger max-attempts for the replayed exchange (exchange property SelfhealMaxAttempts)
 * @param maxDuration a larger max-duration (exchange property SelfhealMaxDurationMillis)
 * @param target      an endpoint URI to send to instead of the route the message entered
 * @param requestedBy who asked, for the record
 */
public record ReplayOptions(Integer maxAttempts, Duration maxDuration, String target, String requestedBy) {
    public static ReplayOptions defaults() {
        return new ReplayOptions(null, null, null, null);
    }

    public ReplayOptions {
        if (maxAttempts != null && maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1, was " + maxAttempts);
        }
        if (maxDuration != null && (maxDuration.isNegative() || maxDuration.isZero())) {
            throw new IllegalArgumentException("max duration must be positive, was " + maxDuration);
        }
        if (target != null && target.isBlank()) {
            target = null;
        }
    }
}
