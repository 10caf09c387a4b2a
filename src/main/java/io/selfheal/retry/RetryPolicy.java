package io.selfheal.retry;

import io.selfheal.config.ConfigChecks;
import io.selfheal.config.ConfigException;

import java.time.Duration;
import java.util.Objects;

/**
 * How one upstream is retried: bounds, the backoff curve and the Retry-After cap. Immutable and validated when built;
 * every error names the configuration key, so it can stop start-up with a message the user can act on.
 */
public final class RetryPolicy {
    public static final int DEFAULT_MAX_ATTEMPTS = 8;
    public static final Duration DEFAULT_MAX_DURATION = Duration.ofMinutes(5);
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);
    public static final double DEFAULT_MULTIPLIER = 2.0;
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
    public static final double DEFAULT_JITTER = 0.5;
    public static final Duration DEFAULT_RECOVERABLE_INITIAL_DELAY = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RETRY_AFTER_MAX = Duration.ofMinutes(5);

    /** Configuration key suffixes, as written after {@code selfheal.defaults.} or {@code selfheal.upstream.<name>.}. */
    public static final String MAX_ATTEMPTS = "max-attempts";
    public static final String MAX_DURATION = "max-duration";
    public static final String INITIAL_DELAY = "initial-delay";
    public static final String MULTIPLIER = "multiplier";
    public static final String MAX_DELAY = "max-delay";
    public static final String JITTER = "jitter";
    public static final String RECOVERABLE_INITIAL_DELAY = "recoverable-initial-delay";
    public static final String RETRY_AFTER_MAX = "retry-after-max";

    private final int maxAttempts;
    private final Duration maxDuration;
    private final BackoffCurve transientCurve;
    private final BackoffCurve recoverableCurve;
    private final Duration retryAfterMax;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.maxDuration = b.maxDuration;
        this.transientCurve = new BackoffCurve(b.initialDelay, b.multiplier, b.maxDelay, b.jitter);
        // a recoverable failure waits longer; its curve may start above max-delay, so its cap is at least its start
        Duration recoverableCap = b.recoverableInitialDelay.compareTo(b.maxDelay) > 0 ? b.recoverableInitialDelay : b.maxDelay;
        this.recoverableCurve = new BackoffCurve(b.recoverableInitialDelay, b.multiplier, recoverableCap, b.jitter);
        this.retryAfterMax = b.retryAfterMax;
    }

    public static RetryPolicy defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder("selfheal.defaults.");
    }

    /** A builder whose errors name keys under the given prefix, e.g. "selfheal.upstream.inventory.". */
    public static Builder builder(String keyPrefix) {
        return new Builder(keyPrefix);
    }

    public Builder toBuilder(String keyPrefix) {
        Builder b = new Builder(keyPrefix);
        b.maxAttempts = maxAttempts;
        b.maxDuration = maxDuration;
        b.initialDelay = transientCurve.initialDelay();
        b.multiplier = transientCurve.multiplier();
        b.maxDelay = transientCurve.maxDelay();
        b.jitter = transientCurve.jitter();
        b.recoverableInitialDelay = recoverableCurve.initialDelay();
        b.retryAfterMax = retryAfterMax;
        return b;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration maxDuration() {
        return maxDuration;
    }

    public BackoffCurve transientCurve() {
        return transientCurve;
    }

    public BackoffCurve recoverableCurve() {
        return recoverableCurve;
    }

    public Duration retryAfterMax() {
        return retryAfterMax;
    }

    /** A copy with a larger budget, for replays ("--max-attempts", "--max-duration"); nulls keep the current value. */
    public RetryPolicy withBounds(Integer newMaxAttempts, Duration newMaxDuration) {
        Builder b = toBuilder("selfheal.defaults.");
        if (newMaxAttempts != null) {
            b.maxAttempts(newMaxAttempts);
        }
        if (newMaxDuration != null) {
            b.maxDuration(newMaxDuration);
        }
        return b.build();
    }

    @Override
    public String toString() {
        return "RetryPolicy{maxAttempts=" + maxAttempts + ", maxDuration=" + maxDuration + ", transient=" + transientCurve
                + ", recoverable=" + recoverableCurve + ", retryAfterMax=" + retryAfterMax + '}';
    }

    public static final class Builder {
        private final String keyPrefix;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration maxDuration = DEFAULT_MAX_DURATION;
        private Duration initialDelay = DEFAULT_INITIAL_DELAY;
        private double multiplier = DEFAULT_MULTIPLIER;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private double jitter = DEFAULT_JITTER;
        private Duration recoverableInitialDelay = DEFAULT_RECOVERABLE_INITIAL_DELAY;
        private Duration retryAfterMax = DEFAULT_RETRY_AFTER_MAX;

        private Builder(String keyPrefix) {
            this.keyPrefix = Objects.requireNonNull(keyPrefix);
        }

        private String key(String suffix) {
            return keyPrefix + suffix;
        }

        public Builder maxAttempts(int value) {
            this.maxAttempts = ConfigChecks.atLeast(key(MAX_ATTEMPTS), value, 1, "it counts the first call");
            return this;
        }

        public Builder maxDuration(Duration value) {
            this.maxDuration = positive(MAX_DURATION, value);
            return this;
        }

        public Builder initialDelay(Duration value) {
            this.initialDelay = nonNegative(INITIAL_DELAY, value);
            return this;
        }

        public Builder multiplier(double value) {
            this.multiplier = ConfigChecks.multiplier(key(MULTIPLIER), value);
            return this;
        }

        public Builder maxDelay(Duration value) {
            this.maxDelay = positive(MAX_DELAY, value);
            return this;
        }

        public Builder jitter(double value) {
            if (!(value >= 0.0 && value < 1.0)) {
                throw new ConfigException(key(JITTER), "Invalid value " + value + " for " + key(JITTER)
                        + ": must be at least 0 and less than 1 (0.5 spreads each delay by ±50 %)");
            }
            this.jitter = value;
            return this;
        }

        public Builder recoverableInitialDelay(Duration value) {
            this.recoverableInitialDelay = nonNegative(RECOVERABLE_INITIAL_DELAY, value);
            return this;
        }

        public Builder retryAfterMax(Duration value) {
            this.retryAfterMax = nonNegative(RETRY_AFTER_MAX, value);
            return this;
        }

        public RetryPolicy build() {
            if (initialDelay.compareTo(maxDelay) > 0) {
                throw new ConfigException(key(INITIAL_DELAY), "Invalid value " + initialDelay + " for " + key(INITIAL_DELAY)
                        + ": larger than " + key(MAX_DELAY) + " (" + maxDelay + ")");
            }
            return new RetryPolicy(this);
        }

        private Duration positive(String suffix, Duration d) {
            return ConfigChecks.positive(key(suffix), d);
        }

        private Duration nonNegative(String suffix, Duration d) {
            return ConfigChecks.nonNegative(key(suffix), d);
        }
    }
}
