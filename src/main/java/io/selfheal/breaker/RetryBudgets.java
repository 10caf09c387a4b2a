package io.selfheal.breaker;

import io.selfheal.config.PerUpstream;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** One {@link RetryBudget} per upstream, created on first use from {@code selfheal.budget.*}. */
public final class RetryBudgets {
    private final PerUpstream<BudgetSettings> config;
    private final ConcurrentMap<String, RetryBudget> budgets = new ConcurrentHashMap<>();

    public RetryBudgets(PerUpstream<BudgetSettings> config) {
        this.config = Objects.requireNonNull(config);
    }

    public RetryBudget forUpstream(String upstream) {
        Objects.requireNonNull(upstream, "upstream");
        // every call looks its budget up: a plain get first, so the hot path allocates no capturing lambda
        RetryBudget existing = budgets.get(upstream);
        return existing != null ? existing : budgets.computeIfAbsent(upstream, this::create);
    }

    private RetryBudget create(String upstream) {
        return new RetryBudget(upstream, config.settingsFor(upstream));
    }

    /** Tokens left per upstream seen so far, sorted by name. */
    public Map<String, Double> tokens() {
        Map<String, Double> m = new TreeMap<>();
        budgets.forEach((u, b) -> m.put(u, b.tokens()));
        return m;
    }

    public PerUpstream<BudgetSettings> config() {
        return config;
    }
}
