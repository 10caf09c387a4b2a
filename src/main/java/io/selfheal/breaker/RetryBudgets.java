package io.selfheal.breaker;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** One {@link RetryBudget} per upstream, created on first use from {@code selfheal.budget.*}. */
public final class RetryBudgets {
    private final BudgetConfig config;
    private final ConcurrentMap<String, RetryBudget> budgets = new ConcurrentHashMap<>();

    public RetryBudgets(BudgetConfig config) {
        this.config = Objects.requireNonNull(config);
    }

    public RetryBudget forUpstream(String upstream) {
        Objects.requireNonNull(upstream, "upstream");
        return budgets.computeIfAbsent(upstream, u -> new RetryBudget(u, config.settingsFor(u)));
    }

    /** Tokens left per upstream seen so far, sorted by name. */
    public Map<String, Double> tokens() {
        Map<String, Double> m = new TreeMap<>();
        budgets.forEach((u, b) -> m.put(u, b.tokens()));
        return m;
    }

    public BudgetConfig config() {
        return config;
    }
}
