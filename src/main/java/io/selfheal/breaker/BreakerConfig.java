package io.selfheal.breaker;

import io.selfheal.config.ConfigReader;
import io.selfheal.config.ConfigValues;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code selfheal.breaker.*} section: breaker settings for every upstream ({@code selfheal.breaker.defaults.*})
 * and per upstream ({@code selfheal.breaker.<upstream>.*}, on top of the defaults). Immutable.
 */
public final class BreakerConfig {
    public static final String SECTION = "selfheal.breaker.";
    public static final String DEFAULTS = SECTION + PerUpstreamKeys.DEFAULTS + ".";

    static final List<String> KEYS = List.of(BreakerSettings.ENABLED, BreakerSettings.SLIDING_WINDOW_TYPE,
            BreakerSettings.SLIDING_WINDOW_SIZE, BreakerSettings.MINIMUM_CALLS, BreakerSettings.FAILURE_RATE_THRESHOLD,
            BreakerSettings.CONSECUTIVE_FAILURES, BreakerSettings.WAIT_IN_OPEN, BreakerSettings.WAIT_IN_OPEN_MULTIPLIER,
            BreakerSettings.WAIT_IN_OPEN_MAX, BreakerSettings.PERMITTED_CALLS_IN_HALF_OPEN,
            BreakerSettings.AUTOMATIC_TRANSITION, BreakerSettings.HALF_OPEN_WAIT, BreakerSettings.ADAPTIVE_SEND_RATE,
            BreakerSettings.SEND_RATE_BURST);

    private final BreakerSettings defaults;
    private final Map<String, BreakerSettings> upstreams;

    private BreakerConfig(BreakerSettings defaults, Map<String, BreakerSettings> upstreams) {
        this.defaults = defaults;
        this.upstreams = Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
    }

    public static BreakerConfig defaults() {
        return new BreakerConfig(BreakerSettings.defaults(), Map.of());
    }

    /** Takes every selfheal.breaker.* key it knows from {@code reader}; errors name the key. */
    public static BreakerConfig read(ConfigReader reader) {
        BreakerSettings defaults = settings(reader, DEFAULTS, BreakerSettings.builder(DEFAULTS));
        Map<String, BreakerSettings> upstreams = new LinkedHashMap<>();
        PerUpstreamKeys.find(reader, SECTION, KEYS).keySet().forEach(name -> {
            String prefix = SECTION + name + ".";
            upstreams.put(name, settings(reader, prefix, defaults.toBuilder(prefix)));
        });
        return new BreakerConfig(defaults, upstreams);
    }

    private static BreakerSettings settings(ConfigReader reader, String prefix, BreakerSettings.Builder b) {
        set(reader, prefix, BreakerSettings.ENABLED, (k, v) -> b.enabled(ConfigValues.bool(k, v)));
        set(reader, prefix, BreakerSettings.SLIDING_WINDOW_TYPE, (k, v) -> b.slidingWindowType(v));
        set(reader, prefix, BreakerSettings.SLIDING_WINDOW_SIZE, (k, v) -> b.slidingWindowSize(ConfigValues.integer(k, v)));
        set(reader, prefix, BreakerSettings.MINIMUM_CALLS, (k, v) -> b.minimumCalls(ConfigValues.integer(k, v)));
        set(reader, prefix, BreakerSettings.FAILURE_RATE_THRESHOLD,
                (k, v) -> b.failureRateThreshold(ConfigValues.decimal(k, v.endsWith("%") ? v.substring(0, v.length() - 1) : v)));
        set(reader, prefix, BreakerSettings.CONSECUTIVE_FAILURES, (k, v) -> b.consecutiveFailures(ConfigValues.integer(k, v)));
        set(reader, prefix, BreakerSettings.WAIT_IN_OPEN, (k, v) -> b.waitInOpen(ConfigValues.duration(k, v)));
        set(reader, prefix, BreakerSettings.WAIT_IN_OPEN_MULTIPLIER, (k, v) -> b.waitInOpenMultiplier(ConfigValues.decimal(k, v)));
        set(reader, prefix, BreakerSettings.WAIT_IN_OPEN_MAX, (k, v) -> b.waitInOpenMax(ConfigValues.duration(k, v)));
        set(reader, prefix, BreakerSettings.PERMITTED_CALLS_IN_HALF_OPEN,
                (k, v) -> b.permittedCallsInHalfOpen(ConfigValues.integer(k, v)));
        set(reader, prefix, BreakerSettings.AUTOMATIC_TRANSITION, (k, v) -> b.automaticTransition(ConfigValues.bool(k, v)));
        set(reader, prefix, BreakerSettings.HALF_OPEN_WAIT, (k, v) -> b.halfOpenWait(ConfigValues.duration(k, v)));
        set(reader, prefix, BreakerSettings.ADAPTIVE_SEND_RATE, (k, v) -> b.adaptiveSendRate(ConfigValues.bool(k, v)));
        set(reader, prefix, BreakerSettings.SEND_RATE_BURST, (k, v) -> b.sendRateBurst(ConfigValues.duration(k, v)));
        return b.build();
    }

    static void set(ConfigReader reader, String prefix, String suffix, KeyValue setter) {
        String key = prefix + suffix;
        reader.take(key).ifPresent(v -> setter.accept(key, v));
    }

    interface KeyValue {
        void accept(String key, String value);
    }

    public BreakerSettings defaultSettings() {
        return defaults;
    }

    /** The settings of an upstream: its own keys on top of the defaults, or the defaults. */
    public BreakerSettings settingsFor(String upstream) {
        return upstream == null ? defaults : Optional.ofNullable(upstreams.get(upstream)).orElse(defaults);
    }

    public Map<String, BreakerSettings> upstreamSettings() {
        return upstreams;
    }
}
