package io.selfheal.breaker;

import io.selfheal.config.ConfigException;

import java.util.Objects;

/**
 * The retry budget of one upstream: a token bucket of {@code max-tokens} that starts full; each retry of a call that
 * reached the upstream spends one token, each success puts {@code token-ratio} back (never above {@code max-tokens}).
 * Immutable and validated when built; every error names the configuration key.
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
public final class BudgetSettings {
    public static final boolean DEFAULT_ENABLED = true;
    public static final int DEFAULT_MAX_TOKENS = 10;
    public static final double DEFAULT_TOKEN_RATIO = 0.5;

    /** Key suffixes, as written after {@code selfheal.budget.defaults.} or {@code selfheal.budget.<upstream>.}. */
    public static final String ENABLED = "enabled";
    public static final String MAX_TOKENS = "max-tokens";
    public static final String TOKEN_RATIO = "token-ratio";

    private final boolean enabled;
    private final int maxTokens;
    private final double tokenRatio;

    private BudgetSettings(Builder b) {
        this.enabled = b.enabled;
        this.maxTokens = b.maxTokens;
        this.tokenRatio = b.tokenRatio;
    }

    public static BudgetSettings defaults() {
        return builder("selfheal.budget.defaults.").build();
    }

    public static Builder builder(String keyPrefix) {
        return new Builder(keyPrefix);
    }

    public Builder toBuilder(String keyPrefix) {
        Builder b = new Builder(keyPrefix);
        b.enabled = enabled;
        b.maxTokens = maxTokens;
        b.tokenRatio = tokenRatio;
        return b;
    }

    public boolean enabled() {
        return enabled;
    }

    /** The bucket's size, and what it holds at start-up: the retries a sudden outage can cost. */
    public int maxTokens() {
        return maxTokens;
    }

    /** What one success puts back: the share of the load retries may add in the long run. */
    public double tokenRatio() {
        return tokenRatio;
    }

    @Override
    public String toString() {
        return "BudgetSettings{enabled=" + enabled + ", maxTokens=" + maxTokens + ", tokenRatio=" + tokenRatio + '}';
    }

    public static final class Builder {
        private final String keyPrefix;
        private boolean enabled = DEFAULT_ENABLED;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private double tokenRatio = DEFAULT_TOKEN_RATIO;

        private Builder(String keyPrefix) {
            this.keyPrefix = Objects.requireNonNull(keyPrefix);
        }

        public Builder enabled(boolean value) {
            this.enabled = value;
            return this;
        }

        public Builder maxTokens(int value) {
            if (value < 1) {
                throw new ConfigException(keyPrefix + MAX_TOKENS, "Invalid value " + value + " for " + keyPrefix
                        + MAX_TOKENS + ": must be at least 1 (the retries a sudden outage may cost)");
            }
            this.maxTokens = value;
            return this;
        }

        public Builder tokenRatio(double value) {
            if (!(value >= 0.001 && value <= 1)) {
                throw new ConfigException(keyPrefix + TOKEN_RATIO, "Invalid value " + value + " for " + keyPrefix
                        + TOKEN_RATIO + ": must be between 0.001 and 1 (0.5: retries at most half the successes)");
            }
            this.tokenRatio = value;
            return this;
        }

        public BudgetSettings build() {
            return new BudgetSettings(this);
        }
    }
}
