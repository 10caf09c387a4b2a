package io.selfheal.breaker;

import io.selfheal.config.ConfigChecks;
import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigReader;
import io.selfheal.config.ConfigSection;
import io.selfheal.config.ConfigValues;
import io.selfheal.config.PerUpstream;

import java.util.List;

/**
 * The retry budget of one upstream: a token bucket of {@code max-tokens} that starts full; each retry of a call that
 * reached the upstream spends one token, each success puts {@code token-ratio} back (never above {@code max-tokens}).
 * Immutable; validated once, when read, every error naming the configuration key.
 * <p>
 * Why the defaults (10 tokens, 0.5 per success): over any period, the retries that reach the upstream are at most the
 * tokens the bucket held when it began plus token-ratio × successes. In a total outage nothing succeeds, so the whole
 * outage costs at most max-tokens (10) retries, whatever the ratio: at most 10 % extra once 100 first attempts have
 * failed, and ever less after. The ratio decides how flaky a working upstream may be before retries are denied: calls
 * that fail independently with probability f need f / (1 - f) retries per success, so 0.5 pays for every retry up to
 * f ≈ 1/3 (an upstream where 20-25 % of messages fail once or twice heals in full), and beyond that holds retries to
 * half the successes (at most 1.5 × the load) until the breaker, at a 50 % failure rate, opens. A ratio of 0.1 (gRPC's
 * example configuration) would deny retries above f ≈ 9 % and park about a quarter of such an upstream's messages as
 * BUDGET_EXHAUSTED, against the intermittent failures Selfheal exists to heal.
 */
public record BudgetSettings(boolean enabled, int maxTokens, double tokenRatio) {
    /** The section: {@code selfheal.budget.defaults.<key>}, and {@code selfheal.budget.<name>.<key>} per upstream. */
    public static final String SECTION = "selfheal.budget.";
    public static final String DEFAULTS = SECTION + "defaults.";
    public static final boolean DEFAULT_ENABLED = true;
    public static final int DEFAULT_MAX_TOKENS = 10;
    public static final double DEFAULT_TOKEN_RATIO = 0.5;

    /** Key suffixes, as written after {@code selfheal.budget.defaults.} or {@code selfheal.budget.<name>.}. */
    public static final String ENABLED = "enabled";
    public static final String MAX_TOKENS = "max-tokens";
    public static final String TOKEN_RATIO = "token-ratio";

    static final List<String> KEYS = List.of(ENABLED, MAX_TOKENS, TOKEN_RATIO);

    public static BudgetSettings defaults() {
        return new BudgetSettings(DEFAULT_ENABLED, DEFAULT_MAX_TOKENS, DEFAULT_TOKEN_RATIO);
    }

    /** Takes every selfheal.budget.* key from {@code reader}; errors name the key. */
    public static PerUpstream<BudgetSettings> read(ConfigReader reader) {
        return PerUpstream.read(reader, DEFAULTS, SECTION, KEYS, defaults(), BudgetSettings::read);
    }

    static BudgetSettings read(ConfigSection keys, BudgetSettings base) {
        boolean enabled = keys.read(ENABLED, ConfigValues::bool, base.enabled());
        int maxTokens = ConfigChecks.atLeast(keys.key(MAX_TOKENS), keys.read(MAX_TOKENS, ConfigValues::integer, base.maxTokens()),
                1, "the retries a sudden outage may cost");
        double tokenRatio = keys.read(TOKEN_RATIO, ConfigValues::decimal, base.tokenRatio());
        if (!(tokenRatio >= 0.001 && tokenRatio <= 1)) {
            throw new ConfigException(keys.key(TOKEN_RATIO), "Invalid value " + tokenRatio + " for " + keys.key(TOKEN_RATIO)
                    + ": must be between 0.001 and 1 (0.5: retries at most half the successes)");
        }
        return new BudgetSettings(enabled, maxTokens, tokenRatio);
    }

    /** The bucket's size, and what it holds at start-up: the retries a sudden outage can cost. */
    @Override
    public int maxTokens() {
        return maxTokens;
    }

    /** What one success puts back: the share of the load retries may add in the long run. */
    @Override
    public double tokenRatio() {
        return tokenRatio;
    }

    @Override
    public String toString() {
        return "BudgetSettings{enabled=" + enabled + ", maxTokens=" + maxTokens + ", tokenRatio=" + tokenRatio + '}';
    }
}
