package io.selfheal.breaker;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.IntervalFunction;
import io.selfheal.config.ConfigChecks;
import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigReader;
import io.selfheal.config.ConfigSection;
import io.selfheal.config.ConfigValues;
import io.selfheal.config.PerUpstream;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * How the circuit breaker of one upstream trips and recovers. Immutable; validated once, when read, every error
 * naming the configuration key ({@code selfheal.breaker.defaults.<key>} or {@code selfheal.breaker.<name>.<key>}).
 * <p>
 * The breaker opens when, over the sliding window, at least {@code minimum-calls} calls were recorded and the failure
 * rate reaches {@code failure-rate-threshold} percent, or when {@code consecutive-failures} calls in a row failed.
 * It stays open for {@code wait-in-open}, then lets {@code permitted-calls-in-half-open} probes through; each failed
 * round of probes opens it again for {@code wait-in-open-multiplier} times longer, up to {@code wait-in-open-max}.
 * A round ends at the first probe that succeeds (the breaker closes) or when {@code permitted-calls-in-half-open}
 * probes in a row failed (it opens again): a recovered but flaky upstream is judged by the closed state's window of
 * many calls, not by a few probes. Throttling (429, any answer with Retry-After) is not a failure: it engages the
 * upstream's adaptive send rate ({@code adaptive-send-rate}, burst {@code send-rate-burst}).
 *
 * @param consecutiveFailures failures in a row that open the breaker from closed; 0 turns this trip off
 * @param halfOpenWait        how long a call waits when every half-open probe slot is taken, before it asks again
 * @param adaptiveSendRate    throttling (429, Retry-After) engages a per-upstream send rate that follows the upstream's
 *                            capacity
 * @param sendRateBurst       the send rate lets through at once at most this much time's worth of its rate (at least
 *                            one call)
 */
public record BreakerSettings(boolean enabled, SlidingWindowType slidingWindowType, int slidingWindowSize, int minimumCalls,
                              float failureRateThreshold, int consecutiveFailures, Duration waitInOpen,
                              double waitInOpenMultiplier, Duration waitInOpenMax, int permittedCallsInHalfOpen,
                              boolean automaticTransition, Duration halfOpenWait, boolean adaptiveSendRate,
                              Duration sendRateBurst) {
    /** The section: {@code selfheal.breaker.defaults.<key>}, and {@code selfheal.breaker.<name>.<key>} per upstream. */
    public static final String SECTION = "selfheal.breaker.";
    public static final String DEFAULTS = SECTION + "defaults.";
    public static final boolean DEFAULT_ENABLED = true;
    public static final SlidingWindowType DEFAULT_SLIDING_WINDOW_TYPE = SlidingWindowType.COUNT_BASED;
    /**
     * Calls (COUNT_BASED) or seconds (TIME_BASED). A window of 100 (Resilience4j's default) with at least 50 calls
     * tells an upstream that fails a quarter of its calls from one that fails half: over 20 calls a 26 %-flaky upstream
     * shows 50 % in about one window in twenty, so its breaker would open every few seconds.
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

    /** Key suffixes, as written after {@code selfheal.breaker.defaults.} or {@code selfheal.breaker.<name>.}. */
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

    static final List<String> KEYS = List.of(ENABLED, SLIDING_WINDOW_TYPE, SLIDING_WINDOW_SIZE, MINIMUM_CALLS,
            FAILURE_RATE_THRESHOLD, CONSECUTIVE_FAILURES, WAIT_IN_OPEN, WAIT_IN_OPEN_MULTIPLIER, WAIT_IN_OPEN_MAX,
            PERMITTED_CALLS_IN_HALF_OPEN, AUTOMATIC_TRANSITION, HALF_OPEN_WAIT, ADAPTIVE_SEND_RATE, SEND_RATE_BURST);

    public static BreakerSettings defaults() {
        return new BreakerSettings(DEFAULT_ENABLED, DEFAULT_SLIDING_WINDOW_TYPE, DEFAULT_SLIDING_WINDOW_SIZE,
                DEFAULT_MINIMUM_CALLS, DEFAULT_FAILURE_RATE_THRESHOLD, DEFAULT_CONSECUTIVE_FAILURES, DEFAULT_WAIT_IN_OPEN,
                DEFAULT_WAIT_IN_OPEN_MULTIPLIER, DEFAULT_WAIT_IN_OPEN_MAX, DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN,
                DEFAULT_AUTOMATIC_TRANSITION, DEFAULT_HALF_OPEN_WAIT, DEFAULT_ADAPTIVE_SEND_RATE, DEFAULT_SEND_RATE_BURST);
    }

    /** Takes every selfheal.breaker.* key from {@code reader}; errors name the key. */
    public static PerUpstream<BreakerSettings> read(ConfigReader reader) {
        return PerUpstream.read(reader, DEFAULTS, SECTION, KEYS, defaults(), BreakerSettings::read);
    }

    /**
     * The keys under one prefix on top of {@code base}. Resilience4j checks the ranges of what it takes (window,
     * minimum calls, failure rate, half-open probes, the longest open wait); the rest, and how values relate, are
     * checked here.
     */
    static BreakerSettings read(ConfigSection keys, BreakerSettings base) {
        boolean enabled = keys.read(ENABLED, ConfigValues::bool, base.enabled());
        SlidingWindowType type = keys.read(SLIDING_WINDOW_TYPE, BreakerSettings::slidingWindowType, base.slidingWindowType());
        int size = keys.read(SLIDING_WINDOW_SIZE, ConfigValues::integer, base.slidingWindowSize());
        int minimumCalls = keys.read(MINIMUM_CALLS, ConfigValues::integer, base.minimumCalls());
        double threshold = keys.read(FAILURE_RATE_THRESHOLD,
                (k, v) -> ConfigValues.decimal(k, v.endsWith("%") ? v.substring(0, v.length() - 1) : v),
                (double) base.failureRateThreshold());
        int consecutive = ConfigChecks.atLeast(keys.key(CONSECUTIVE_FAILURES),
                keys.read(CONSECUTIVE_FAILURES, ConfigValues::integer, base.consecutiveFailures()), 0,
                "0 turns the consecutive-failure trip off");
        Duration waitInOpen = ConfigChecks.atLeastOneMilli(keys.key(WAIT_IN_OPEN),
                keys.read(WAIT_IN_OPEN, ConfigValues::duration, base.waitInOpen()));
        double multiplier = ConfigChecks.multiplier(keys.key(WAIT_IN_OPEN_MULTIPLIER),
                keys.read(WAIT_IN_OPEN_MULTIPLIER, ConfigValues::decimal, base.waitInOpenMultiplier()));
        Duration waitInOpenMax = keys.read(WAIT_IN_OPEN_MAX, ConfigValues::duration, base.waitInOpenMax());
        int halfOpenCalls = keys.read(PERMITTED_CALLS_IN_HALF_OPEN, ConfigValues::integer, base.permittedCallsInHalfOpen());
        boolean automatic = keys.read(AUTOMATIC_TRANSITION, ConfigValues::bool, base.automaticTransition());
        Duration halfOpenWait = ConfigChecks.atLeastOneMilli(keys.key(HALF_OPEN_WAIT),
                keys.read(HALF_OPEN_WAIT, ConfigValues::duration, base.halfOpenWait()));
        boolean adaptive = keys.read(ADAPTIVE_SEND_RATE, ConfigValues::bool, base.adaptiveSendRate());
        Duration burst = ConfigChecks.atLeastOneMilli(keys.key(SEND_RATE_BURST),
                keys.read(SEND_RATE_BURST, ConfigValues::duration, base.sendRateBurst()));

        resilience4j(keys.key(SLIDING_WINDOW_SIZE), size, "must be at least 1 (calls for COUNT_BASED, seconds for TIME_BASED)",
                () -> CircuitBreakerConfig.custom().slidingWindowSize(size));
        resilience4j(keys.key(MINIMUM_CALLS), minimumCalls, "must be at least 1 (calls recorded before the failure rate counts)",
                () -> CircuitBreakerConfig.custom().minimumNumberOfCalls(minimumCalls));
        resilience4j(keys.key(FAILURE_RATE_THRESHOLD), threshold, "must be a percentage above 0 and at most 100",
                () -> CircuitBreakerConfig.custom().failureRateThreshold((float) threshold));
        resilience4j(keys.key(WAIT_IN_OPEN_MAX), waitInOpenMax, "must be at least 1ms",
                () -> IntervalFunction.ofExponentialBackoff(waitInOpen, multiplier, waitInOpenMax));
        resilience4j(keys.key(PERMITTED_CALLS_IN_HALF_OPEN), halfOpenCalls, "must be at least 1 (probes let through)",
                () -> CircuitBreakerConfig.custom().permittedNumberOfCallsInHalfOpenState(halfOpenCalls));

        if (waitInOpenMax.compareTo(waitInOpen) < 0) {
            throw new ConfigException(keys.key(WAIT_IN_OPEN_MAX), "Invalid value " + waitInOpenMax + " for "
                    + keys.key(WAIT_IN_OPEN_MAX) + ": smaller than " + keys.key(WAIT_IN_OPEN) + " (" + waitInOpen + ")");
        }
        if (type == SlidingWindowType.COUNT_BASED && minimumCalls > size) {
            throw new ConfigException(keys.key(MINIMUM_CALLS), "Invalid value " + minimumCalls + " for "
                    + keys.key(MINIMUM_CALLS) + ": larger than " + keys.key(SLIDING_WINDOW_SIZE) + " (" + size
                    + "), so the failure rate could never be computed");
        }
        return new BreakerSettings(enabled, type, size, minimumCalls, (float) threshold, consecutive, waitInOpen,
                multiplier, waitInOpenMax, halfOpenCalls, automatic, halfOpenWait, adaptive, burst);
    }

    /** COUNT_BASED or TIME_BASED, as written in configuration (case ignored, '-' for '_'). */
    private static SlidingWindowType slidingWindowType(String key, String value) {
        String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (SlidingWindowType t : SlidingWindowType.values()) {
            if (t.name().equals(v)) {
                return t;
            }
        }
        throw new ConfigException(key, "Invalid value '" + value + "' for " + key + ": expected COUNT_BASED or TIME_BASED");
    }

    /** Lets Resilience4j judge a value it takes; its refusal becomes a ConfigException naming the key. */
    private static void resilience4j(String key, Object value, String requirement, Supplier<?> check) {
        try {
            check.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, "Invalid value " + value + " for " + key + ": " + requirement);
        }
    }

    /** The open state's wait: {@code wait-in-open}, times {@code wait-in-open-multiplier} per failed round, capped. */
    public IntervalFunction waitInOpenState() {
        return IntervalFunction.ofExponentialBackoff(waitInOpen, waitInOpenMultiplier, waitInOpenMax);
    }

    /** Resilience4j's configuration of these settings; the caller adds the open-state wait and the clock. */
    public CircuitBreakerConfig.Builder circuitBreakerConfig() {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(slidingWindowType)
                .slidingWindowSize(slidingWindowSize)
                .minimumNumberOfCalls(minimumCalls)
                .failureRateThreshold(failureRateThreshold)
                .permittedNumberOfCallsInHalfOpenState(permittedCallsInHalfOpen)
                .automaticTransitionFromOpenToHalfOpenEnabled(automaticTransition)
                .writableStackTraceEnabled(false);
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
}
