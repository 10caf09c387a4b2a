package io.selfheal.retry;

import io.selfheal.config.ConfigReader;
import io.selfheal.config.ConfigSection;
import io.selfheal.config.ConfigValues;
import io.selfheal.config.PerUpstream;

import java.util.List;

/**
 * The retry keys: {@code selfheal.defaults.<key>} for every upstream, {@code selfheal.upstream.<name>.<key>} on top
 * of them for one upstream; the keys are {@link RetryPolicy}'s suffixes.
 */
public final class RetrySettings {
    public static final String DEFAULTS = "selfheal.defaults.";
    public static final String UPSTREAM = "selfheal.upstream.";

    static final List<String> KEYS = List.of(RetryPolicy.MAX_ATTEMPTS, RetryPolicy.MAX_DURATION,
            RetryPolicy.INITIAL_DELAY, RetryPolicy.MULTIPLIER, RetryPolicy.MAX_DELAY, RetryPolicy.JITTER,
            RetryPolicy.RECOVERABLE_INITIAL_DELAY, RetryPolicy.RETRY_AFTER_MAX);

    private RetrySettings() {
    }

    /** Takes every retry key from {@code reader}; errors name the key. */
    public static PerUpstream<RetryPolicy> read(ConfigReader reader) {
        return PerUpstream.read(reader, DEFAULTS, UPSTREAM, KEYS, RetryPolicy.defaults(), RetrySettings::read);
    }

    private static RetryPolicy read(ConfigSection keys, RetryPolicy base) {
        return base.toBuilder(keys.prefix())
                .maxAttempts(keys.read(RetryPolicy.MAX_ATTEMPTS, ConfigValues::integer, base.maxAttempts()))
                .maxDuration(keys.read(RetryPolicy.MAX_DURATION, ConfigValues::duration, base.maxDuration()))
                .initialDelay(keys.read(RetryPolicy.INITIAL_DELAY, ConfigValues::duration, base.transientCurve().initialDelay()))
                .multiplier(keys.read(RetryPolicy.MULTIPLIER, ConfigValues::decimal, base.transientCurve().multiplier()))
                .maxDelay(keys.read(RetryPolicy.MAX_DELAY, ConfigValues::duration, base.transientCurve().maxDelay()))
                .jitter(keys.read(RetryPolicy.JITTER, ConfigValues::decimal, base.transientCurve().jitter()))
                .recoverableInitialDelay(keys.read(RetryPolicy.RECOVERABLE_INITIAL_DELAY, ConfigValues::duration,
                        base.recoverableCurve().initialDelay()))
                .retryAfterMax(keys.read(RetryPolicy.RETRY_AFTER_MAX, ConfigValues::duration, base.retryAfterMax()))
                .build();
    }
}
