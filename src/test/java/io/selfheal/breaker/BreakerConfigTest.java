package io.selfheal.breaker;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.selfheal.config.ConfigException;
import io.selfheal.settings.SelfhealConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** selfheal.breaker.* and selfheal.budget.*: defaults, per-upstream overrides, and errors that name the key. */
class BreakerConfigTest {

    @Test
    void defaultsAreOnWithTheDocumentedValues() {
        SelfhealConfig c = SelfhealConfig.defaults();
        BreakerSettings b = c.breakers().settingsFor("anything");
        assertThat(b.enabled()).isTrue();
        assertThat(b.slidingWindowType()).isEqualTo(SlidingWindowType.COUNT_BASED);
        assertThat(b.slidingWindowSize()).isEqualTo(100);
        assertThat(b.minimumCalls()).isEqualTo(50);
        assertThat(b.failureRateThreshold()).isEqualTo(50f);
        assertThat(b.consecutiveFailures()).isEqualTo(10);
        assertThat(b.waitInOpen()).isEqualTo(Duration.ofSeconds(10));
        assertThat(b.waitInOpenMultiplier()).isEqualTo(2.0);
        assertThat(b.waitInOpenMax()).isEqualTo(Duration.ofMinutes(2));
        assertThat(b.permittedCallsInHalfOpen()).isEqualTo(3);
        assertThat(b.automaticTransition()).isTrue();
        assertThat(b.halfOpenWait()).isEqualTo(Duration.ofSeconds(1));
        BudgetSettings g = c.budgets().settingsFor("anything");
        assertThat(g.enabled()).isTrue();
        assertThat(g.maxTokens()).isEqualTo(10);
        assertThat(g.tokenRatio()).isEqualTo(0.5);
    }

    @Test
    void theJarsBuiltInDefaultsSayWhatTheCodeDoes() throws Exception {
        java.util.Properties p = new java.util.Properties();
        try (var in = getClass().getClassLoader().getResourceAsStream("selfheal-defaults.properties")) {
            p.load(in);
        }
        Map<String, String> selfheal = new java.util.HashMap<>();
        p.stringPropertyNames().stream().filter(k -> k.startsWith("selfheal.")).forEach(k -> selfheal.put(k, p.getProperty(k)));
        assertThat(selfheal).containsKeys("selfheal.breaker.defaults.consecutive-failures", "selfheal.budget.defaults.max-tokens");
        SelfhealConfig fromFile = SelfhealConfig.load(selfheal);
        assertThat(fromFile.breakers().defaultSettings()).usingRecursiveComparison().isEqualTo(BreakerSettings.defaults());
        assertThat(fromFile.budgets().defaultSettings()).usingRecursiveComparison().isEqualTo(BudgetSettings.defaults());
    }

    @Test
    void perUpstreamKeysOverrideTheDefaultsAndNamesMayHoldDots() {
        SelfhealConfig c = SelfhealConfig.load(Map.of(
                "selfheal.breaker.defaults.wait-in-open", "20s",
                "selfheal.breaker.defaults.wait-in-open-max", "5m",
                "selfheal.breaker.api.example.com.consecutive-failures", "2",
                "selfheal.breaker.api.example.com.sliding-window-type", "time_based",
                "selfheal.breaker.inventory.enabled", "false",
                "selfheal.budget.api.example.com.max-tokens", "50",
                "selfheal.budget.defaults.token-ratio", "0.2"));
        BreakerSettings api = c.breakers().settingsFor("api.example.com");
        assertThat(api.consecutiveFailures()).isEqualTo(2);
        assertThat(api.slidingWindowType()).isEqualTo(SlidingWindowType.TIME_BASED);
        assertThat(api.waitInOpen()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.breakers().settingsFor("inventory").enabled()).isFalse();
        assertThat(c.breakers().settingsFor("other").consecutiveFailures()).isEqualTo(10);
        assertThat(c.budgets().settingsFor("api.example.com").maxTokens()).isEqualTo(50);
        assertThat(c.budgets().settingsFor("api.example.com").tokenRatio()).isEqualTo(0.2);
        assertThat(c.budgets().settingsFor("other").maxTokens()).isEqualTo(10);
    }

    @Test
    void invalidValuesNameTheirKey() {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.breaker.defaults.failure-rate-threshold", "150")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.breaker.defaults.failure-rate-threshold");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.breaker.inventory.wait-in-open", "soon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.breaker.inventory.wait-in-open");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.breaker.inventory.sliding-window-type", "ROLLING")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("COUNT_BASED or TIME_BASED");
        // more calls than the window (100) holds
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.breaker.a.b.minimum-calls", "130")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.breaker.a.b.minimum-calls")
                .hasMessageContaining("sliding-window-size");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.breaker.x.wait-in-open", "5m")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.breaker.x.wait-in-open-max");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.breaker.defaults.consecutive-failures", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.breaker.defaults.consecutive-failures");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.budget.defaults.max-tokens", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.budget.defaults.max-tokens");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.budget.orders.token-ratio", "2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.budget.orders.token-ratio");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.breaker.defaults.enabled", "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.breaker.defaults.enabled");
    }

    @Test
    void aTypoIsRejectedWithASuggestion() {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.breaker.defaults.wait-in-opne", "5s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Unknown configuration key 'selfheal.breaker.defaults.wait-in-opne'")
                .hasMessageContaining(".wait-in-open'?");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.budget.inventory.max-token", "5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("did you mean 'selfheal.budget.inventory.max-tokens'");
    }
}
