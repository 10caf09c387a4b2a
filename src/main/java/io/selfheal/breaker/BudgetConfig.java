package io.selfheal.breaker;

import io.selfheal.config.ConfigReader;
import io.selfheal.config.ConfigValues;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code selfheal.budget.*} section: retry budgets for every upstream ({@code selfheal.budget.defaults.*}) and
 * per upstream ({@code selfheal.budget.<upstream>.*}, on top of the defaults). Immutable.
 */
public final class BudgetConfig {
    public static final String SECTION = "selfheal.budget.";
    public static final String DEFAULTS = SECTION + PerUpstreamKeys.DEFAULTS + ".";

    static final List<String> KEYS = List.of(BudgetSettings.ENABLED, BudgetSettings.MAX_TOKENS, BudgetSettings.TOKEN_RATIO);

    private final BudgetSettings defaults;
    private final Map<String, BudgetSettings> upstreams;

    private BudgetConfig(BudgetSettings defaults, Map<String, BudgetSettings> upstreams) {
        this.defaults = defaults;
        this.upstreams = Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
    }

    public static BudgetConfig defaults() {
        return new BudgetConfig(BudgetSettings.defaults(), Map.of());
    }

    /** Takes every selfheal.budget.* key it knows from {@code reader}; errors name the key. */
    public static BudgetConfig read(ConfigReader reader) {
        BudgetSettings defaults = settings(reader, DEFAULTS, BudgetSettings.builder(DEFAULTS));
        Map<String, BudgetSettings> upstreams = new LinkedHashMap<>();
        PerUpstreamKeys.find(reader, SECTION, KEYS).keySet().forEach(name -> {
            String prefix = SECTION + name + ".";
            upstreams.put(name, settings(reader, prefix, defaults.toBuilder(prefix)));
        });
        return new BudgetConfig(defaults, upstreams);
    }

    private static BudgetSettings settings(ConfigReader reader, String prefix, BudgetSettings.Builder b) {
        BreakerConfig.set(reader, prefix, BudgetSettings.ENABLED, (k, v) -> b.enabled(ConfigValues.bool(k, v)));
        BreakerConfig.set(reader, prefix, BudgetSettings.MAX_TOKENS, (k, v) -> b.maxTokens(ConfigValues.integer(k, v)));
        BreakerConfig.set(reader, prefix, BudgetSettings.TOKEN_RATIO, (k, v) -> b.tokenRatio(ConfigValues.decimal(k, v)));
        return b.build();
    }

    public BudgetSettings defaultSettings() {
        return defaults;
    }

    public BudgetSettings settingsFor(String upstream) {
        return upstream == null ? defaults : Optional.ofNullable(upstreams.get(upstream)).orElse(defaults);
    }

    public Map<String, BudgetSettings> upstreamSettings() {
        return upstreams;
    }
}
