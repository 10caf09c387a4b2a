package io.selfheal.breaker;

import io.selfheal.config.ConfigException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How the circuit breaker of one upstream trips and recovers. Immutable and validated when built; every error names
 * the configuration key ({@code selfheal.breaker.defaults.<key>} or {@code selfheal.breaker.<upstream>.<key>}).
 * <p>
 * The breaker opens when, over the sliding window, at least {@code minimum-calls} calls were recorded and the failure
 * rate reaches {@code failure-rate-threshold} percent, or when {@code consecutive-failures} calls in a row failed.
 * It stays open for {@code wait-in-open}, then lets {@code permitted-calls-in-half-open} probes through; each failed
 * round of probes opens it again for {@code wait-in-open-multiplier} times longer, up to {@code wait-in-open-max}.
 * A round ends at the first probe that succeeds (the breaker closes) or when {@code permitted-calls-in-half-open}
 * probes in a row failed (it opens again): a recovered but flaky upstream is judged by the closed state's window of
 * many calls, not by a few probes. Throttling (429, any answer with Retry-After) is not a failure: it engages the
 * upstream's adaptive send rate ({@code adaptive-send-rate}, burst {@code send-rate-burst}).
 */
public final class BreakerSettings {
    public static final boolean DEFAULT_ENABLED = true;
    public static final SlidingWindowType DEFAULT_SLIDING_WINDOW_TYPE = SlidingWindowType.COUNT_BASED;
    /**
     * Calls (COUNT_BASED) or seconds (TIME_BASED). A window of 100 (Resilience4j's default) with at least 50 calls
     * tells an upstream that fails a quarter of its calls from one that fails half: over 20 calls a 26 %-flaky upstream
     * shows 50 % in about one window in twenty, and its breaker opened every few seconds.
     */
    public static final int DEFAULT_SLIDING_WINDOW_SIZE = 100;
    public static final int DEFAULT_MINIMUM_CALLS = 50;
    public static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50f;
    /**
     * An outage fails every call, so ten in a row open the breaker within seconds; a 26 %-flaky upstream has five in a
     * row about once in 400 calls, ten about once in 170,000.
     */
    public static final int DEFAULT_CONSECUTIVE_FAILURES = 10;
    public static final Duration DEFAULT_WAIT_IN_OPEN = Duration.ofSeconds(10);
    public static final double DEFAULT_WAIT_IN_OPEN_MULTIPLIER = 2.0;
    public static final Duration DEFAULT_WAIT_IN_OPEN_MAX = Duration.ofMinutes(2);
    public static final int DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN = 3;
    public static final boolean DEFAULT_AUTOMATIC_TRANSITION = true;
    public static final Duration DEFAULT_HALF_OPEN_WAIT = Duration.ofSeconds(1);
    public static final boolean DEFAULT_ADAPTIVE_SEND_RATE = true;
    /**
     * The send rate's burst: the calls it lets through at once are this much time's worth of its rate (at least one).
     * Small, so calls are paced rather than bunched: a burst larger than the upstream's own is throttled even when the
     * rate is below its limit, and that throttle would then lower the rate for nothing.
     */
    public static final Duration DEFAULT_SEND_RATE_BURST = Duration.ofMillis(20);

    /** Key suffixes, as written after {@code selfheal.breaker.defaults.} or {@code selfheal.breaker.<upstream>.}. */
    public static final String ENABLED = "enabled";
    public static final String SLIDING_WINDOW_TYPE = "sliding-window-type";
    public static final String SLIDING_WINDOW_SIZE = "sliding-window-size";
    public static final String MINIMUM_CALLS = "minimum-calls";
    public static final String FAILURE_RATE_THRESHOLD = "failure-rate-threshold";
    public static final String CONSECUTIVE_FAILURES = "consecutive-failures";
    public static final String WAIT_IN_OPEN = "wait-in-open";
    public static final String WAIT_IN_OPEN_MULTIPLIER = "wait-in-open-multiplier";
    public static final String WAIT_IN_OPEN_MAX = "wait-in-open-max";
    public static final String PERMITTED_CALLS_IN_HALF_OPEN = "permitted-calls-in-half-open";
    public static final String AUTOMATIC_TRANSITION = "automatic-transition";
    public static final String HALF_OPEN_WAIT = "half-open-wait";
    public static final String ADAPTIVE_SEND_RATE = "adaptive-send-rate";
    public static final String SEND_RATE_BURST = "send-rate-burst";

    private final boolean enabled;
    private final SlidingWindowType slidingWindowType;
    private final int slidingWindowSize;
    private final int minimumCalls;
    private final float failureRateThreshold;
    private final int consecutiveFailures;
    private final Duration waitInOpen;
    private final double waitInOpenMultiplier;
    private final Duration waitInOpenMax;
    private final int permittedCallsInHalfOpen;
    private final boolean automaticTransition;
    private final Duration halfOpenWait;
    private final boolean adaptiveSendRate;
    private final Duration sendRateBurst;

    private BreakerSettings(Builder b) {
        this.enabled = b.enabled;
        this.slidingWindowType = b.slidingWindowType;
        this.slidingWindowSize = b.slidingWindowSize;
        this.minimumCalls = b.minimumCalls;
        this.failureRateThreshold = b.failureRateThreshold;
        this.consecutiveFailures = b.consecutiveFailures;
        this.waitInOpen = b.waitInOpen;
        this.waitInOpenMultiplier = b.waitInOpenMultiplier;
        this.waitInOpenMax = b.waitInOpenMax;
        this.permittedCallsInHalfOpen = b.permittedCallsInHalfOpen;
        this.automaticTransition = b.automaticTransition;
        this.halfOpenWait = b.halfOpenWait;
        this.adaptiveSendRate = b.adaptiveSendRate;
        this.sendRateBurst = b.sendRateBurst;
    }

    public static BreakerSettings defaults() {
        return builder("selfheal.breaker.defaults.").build();
    }

    /** A builder whose errors name keys under {@code keyPrefix}, e.g. "selfheal.breaker.inventory.". */
    public static Builder builder(String keyPrefix) {
        return new Builder(keyPrefix);
    }

    public Builder toBuilder(String keyPrefix) {
        Builder b = new Builder(keyPrefix);
        b.enabled = enabled;
        b.slidingWindowType = slidingWindowType;
        b.slidingWindowSize = slidingWindowSize;
        b.minimumCalls = minimumCalls;
        b.failureRateThreshold = failureRateThreshold;
        b.consecutiveFailures = consecutiveFailures;
        b.waitInOpen = waitInOpen;
        b.waitInOpenMultiplier = waitInOpenMultiplier;
        b.waitInOpenMax = waitInOpenMax;
        b.permittedCallsInHalfOpen = permittedCallsInHalfOpen;
        b.automaticTransition = automaticTransition;
        b.halfOpenWait = halfOpenWait;
        b.adaptiveSendRate = adaptiveSendRate;
        b.sendRateBurst = sendRateBurst;
        return b;
    }

    public boolean enabled() {
        return enabled;
    }

    public SlidingWindowType slidingWindowType() {
        return slidingWindowType;
    }

    public int slidingWindowSize() {
        return slidingWindowSize;
    }

    public int minimumCalls() {
        return minimumCalls;
    }

    public float failureRateThreshold() {
        return failureRateThreshold;
    }

    /** Failures in a row that open the breaker from closed; 0 turns this trip off. */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    public Duration waitInOpen() {
        return waitInOpen;
    }

    public double waitInOpenMultiplier() {
        return waitInOpenMultiplier;
    }

    public Duration waitInOpenMax() {
        return waitInOpenMax;
    }

    public int permittedCallsInHalfOpen() {
        return permittedCallsInHalfOpen;
    }

    public boolean automaticTransition() {
        return automaticTransition;
    }

    /** How long a call waits when every half-open probe slot is taken, before it asks again. */
    public Duration halfOpenWait() {
        return halfOpenWait;
    }

    /** Throttling (429, Retry-After) engages a per-upstream send rate that follows the upstream's capacity. */
    public boolean adaptiveSendRate() {
        return adaptiveSendRate;
    }

    /** The send rate lets through at once at most this much time's worth of its rate (at least one call). */
    public Duration sendRateBurst() {
        return sendRateBurst;
    }

    @Override
    public String toString() {
        return "BreakerSettings{enabled=" + enabled + ", window=" + slidingWindowType + "/" + slidingWindowSize
                + ", minimumCalls=" + minimumCalls + ", failureRateThreshold=" + failureRateThreshold
                + ", consecutiveFailures=" + consecutiveFailures + ", waitInOpen=" + waitInOpen + " x"
                + waitInOpenMultiplier + " up to " + waitInOpenMax + ", halfOpenCalls=" + permittedCallsInHalfOpen
                + ", automaticTransition=" + automaticTransition + ", halfOpenWait=" + halfOpenWait
                + ", adaptiveSendRate=" + adaptiveSendRate + ", sendRateBurst=" + sendRateBurst + '}';
    }

    public static final class Builder {
        private final String keyPrefix;
        private boolean enabled = DEFAULT_ENABLED;
        private SlidingWindowType slidingWindowType = DEFAULT_SLIDING_WINDOW_TYPE;
        private int slidingWindowSize = DEFAULT_SLIDING_WINDOW_SIZE;
        private int minimumCalls = DEFAULT_MINIMUM_CALLS;
        private float failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
        private int consecutiveFailures = DEFAULT_CONSECUTIVE_FAILURES;
        private Duration waitInOpen = DEFAULT_WAIT_IN_OPEN;
        private double waitInOpenMultiplier = DEFAULT_WAIT_IN_OPEN_MULTIPLIER;
        private Duration waitInOpenMax = DEFAULT_WAIT_IN_OPEN_MAX;
        private int permittedCallsInHalfOpen = DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN;
        private boolean automaticTransition = DEFAULT_AUTOMATIC_TRANSITION;
        private Duration halfOpenWait = DEFAULT_HALF_OPEN_WAIT;
        private boolean adaptiveSendRate = DEFAULT_ADAPTIVE_SEND_RATE;
        private Duration sendRateBurst = DEFAULT_SEND_RATE_BURST;

        private Builder(String keyPrefix) {
            this.keyPrefix = Objects.requireNonNull(keyPrefix);
        }

        private String key(String suffix) {
            return keyPrefix + suffix;
        }

        public Builder enabled(boolean value) {
            this.enabled = value;
            return this;
        }

        public Builder slidingWindowType(SlidingWindowType value) {
            this.slidingWindowType = Objects.requireNonNull(value);
            return this;
        }

        /** COUNT_BASED or TIME_BASED, as written in configuration (case ignored). */
        public Builder slidingWindowType(String value) {
            String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (SlidingWindowType t : SlidingWindowType.values()) {
                if (t.name().equals(v)) {
                    return slidingWindowType(t);
                }
            }
            throw new ConfigException(key(SLIDING_WINDOW_TYPE), "Invalid value '" + value + "' for "
                    + key(SLIDING_WINDOW_TYPE) + ": expected COUNT_BASED or TIME_BASED");
        }

        public Builder slidingWindowSize(int value) {
            this.slidingWindowSize = atLeast(SLIDING_WINDOW_SIZE, value, 1,
                    "calls for COUNT_BASED, seconds for TIME_BASED");
            return this;
        }

        public Builder minimumCalls(int value) {
            this.minimumCalls = atLeast(MINIMUM_CALLS, value, 1, "calls recorded before the failure rate counts");
            return this;
        }

        public Builder failureRateThreshold(double value) {
            if (!(value > 0 && value <= 100)) {
                throw new ConfigException(key(FAILURE_RATE_THRESHOLD), "Invalid value " + value + " for "
                        + key(FAILURE_RATE_THRESHOLD) + ": must be a percentage above 0 and at most 100");
            }
            this.failureRateThreshold = (float) value;
            return this;
        }

        public Builder consecutiveFailures(int value) {
            this.consecutiveFailures = atLeast(CONSECUTIVE_FAILURES, value, 0, "0 turns the consecutive-failure trip off");
            return this;
        }

        public Builder waitInOpen(Duration value) {
            this.waitInOpen = atLeastOneMilli(WAIT_IN_OPEN, value);
            return this;
        }

        public Builder waitInOpenMultiplier(double value) {
            if (!(value >= 1.0) || Double.isInfinite(value)) {
                throw new ConfigException(key(WAIT_IN_OPEN_MULTIPLIER), "Invalid value " + value + " for "
                        + key(WAIT_IN_OPEN_MULTIPLIER) + ": must be a finite number of at least 1");
            }
            this.waitInOpenMultiplier = value;
            return this;
        }

        public Builder waitInOpenMax(Duration value) {
            this.waitInOpenMax = atLeastOneMilli(WAIT_IN_OPEN_MAX, value);
            return this;
        }

        public Builder permittedCallsInHalfOpen(int value) {
            this.permittedCallsInHalfOpen = atLeast(PERMITTED_CALLS_IN_HALF_OPEN, value, 1, "probes let through");
            return this;
        }

        public Builder automaticTransition(boolean value) {
            this.automaticTransition = value;
            return this;
        }

        public Builder halfOpenWait(Duration value) {
            this.halfOpenWait = atLeastOneMilli(HALF_OPEN_WAIT, value);
            return this;
        }

        public Builder adaptiveSendRate(boolean value) {
            this.adaptiveSendRate = value;
            return this;
        }

        public Builder sendRateBurst(Duration value) {
            this.sendRateBurst = atLeastOneMilli(SEND_RATE_BURST, value);
            return this;
        }

        public BreakerSettings build() {
            if (waitInOpenMax.compareTo(waitInOpen) < 0) {
                throw new ConfigException(key(WAIT_IN_OPEN_MAX), "Invalid value " + waitInOpenMax + " for "
                        + key(WAIT_IN_OPEN_MAX) + ": smaller than " + key(WAIT_IN_OPEN) + " (" + waitInOpen + ")");
            }
            if (slidingWindowType == SlidingWindowType.COUNT_BASED && minimumCalls > slidingWindowSize) {
                throw new ConfigException(key(MINIMUM_CALLS), "Invalid value " + minimumCalls + " for "
                        + key(MINIMUM_CALLS) + ": larger than " + key(SLIDING_WINDOW_SIZE) + " (" + slidingWindowSize
                        + "), so the failure rate could never be computed");
            }
            return new BreakerSettings(this);
        }

        private int atLeast(String suffix, int value, int min, String meaning) {
            if (value < min) {
                throw new ConfigException(key(suffix), "Invalid value " + value + " for " + key(suffix)
                        + ": must be at least " + min + " (" + meaning + ")");
            }
            return value;
        }

        private Duration atLeastOneMilli(String suffix, Duration d) {
            if (d == null || d.toMillis() < 1) {
                throw new ConfigException(key(suffix), "Invalid value " + d + " for " + key(suffix)
                        + ": must be at least 1ms");
            }
            return d;
        }
    }
}
