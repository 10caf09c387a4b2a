package io.selfheal.settings;

import io.selfheal.classify.FailureClass;
import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigValues;
import io.selfheal.retry.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SelfhealConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        RetryPolicy p = SelfhealConfig.defaults().defaultPolicy();
        assertThat(p.maxAttempts()).isEqualTo(8);
        assertThat(p.maxDuration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(p.transientCurve().initialDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.transientCurve().multiplier()).isEqualTo(2.0);
        assertThat(p.transientCurve().maxDelay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.transientCurve().jitter()).isEqualTo(0.5);
        assertThat(p.recoverableCurve().initialDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.retryAfterMax()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void perUpstreamOverridesInheritTheDefaults() {
        SelfhealConfig c = SelfhealConfig.load(Map.of(
                "selfheal.defaults.max-attempts", "4",
                "selfheal.defaults.initial-delay", "500ms",
                "selfheal.upstream.inventory.example.com.max-attempts", "12",
                "selfheal.upstream.payments.max-delay", "1m"));
        assertThat(c.policyFor("inventory.example.com").maxAttempts()).isEqualTo(12);
        assertThat(c.policyFor("inventory.example.com").transientCurve().initialDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.policyFor("payments").maxAttempts()).isEqualTo(4);
        assertThat(c.policyFor("payments").transientCurve().maxDelay()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.policyFor("other").maxAttempts()).isEqualTo(4);
    }

    @Test
    void classificationOverridesAreParsed() {
        SelfhealConfig c = SelfhealConfig.load(Map.of(
                "selfheal.classify.http.404", "transient",
                "selfheal.classify.sqlstate.23505", "TRANSIENT",
                "selfheal.classify.vendor-code.1062", "TRANSIENT",
                "selfheal.classify.exception.com.acme.InventoryBusyException", "RECOVERABLE",
                "selfheal.classify.default", "TRANSIENT"));
        assertThat(c.classificationRules().forHttpStatus(404)).contains(FailureClass.TRANSIENT);
        assertThat(c.classificationRules().forSqlStateExact("23505")).contains(FailureClass.TRANSIENT);
        assertThat(c.classificationRules().forVendorCode(1062)).contains(FailureClass.TRANSIENT);
        assertThat(c.classificationRules().exceptionRules()).containsEntry("com.acme.InventoryBusyException", FailureClass.RECOVERABLE);
        assertThat(c.defaultClass()).isEqualTo(FailureClass.TRANSIENT);
    }

    @Test
    void invalidValuesNameTheirKey() {
        expectKey("selfheal.defaults.max-attempts", "-1");
        expectKey("selfheal.defaults.max-attempts", "eight");
        expectKey("selfheal.defaults.max-duration", "5 minutes");
        expectKey("selfheal.defaults.max-delay", "0s");
        expectKey("selfheal.defaults.initial-delay", "100");
        expectKey("selfheal.defaults.jitter", "1.5");
        expectKey("selfheal.defaults.multiplier", "0.5");
        expectKey("selfheal.defaults.retry-after-max", "-1s");
        expectKey("selfheal.upstream.inventory.max-attempts", "0");
        expectKey("selfheal.classify.http.503", "SOMETIMES");
        expectKey("selfheal.classify.http.999", "TRANSIENT");
        expectKey("selfheal.classify.sqlstate.4000001", "TRANSIENT");
        expectKey("selfheal.classify.default", "MAYBE");
    }

    @Test
    void aTypoIsRejectedWithTheNearestValidKey() {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.defaults.max-atempts", "3")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("selfheal.defaults.max-atempts")
                .hasMessageContaining("did you mean 'selfheal.defaults.max-attempts'");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.upstream.inventory.max-atempts", "3")))
                .hasMessageContaining("selfheal.upstream.inventory.max-atempts")
                .hasMessageContaining("did you mean 'selfheal.upstream.inventory.max-attempts'");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.clasify.http.503", "TRANSIENT")))
                .hasMessageContaining("did you mean 'selfheal.classify.http.");
    }

    @Test
    void aMisspeltSectionKeepsTheUsersNameInTheSuggestion() {
        // found by the configuration matrix: the suggestion used to be "selfheal.upstream..inventory.max-attempts"
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.upstreams.inventory.max-attempts", "3")))
                .hasMessageContaining("did you mean 'selfheal.upstream.inventory.max-attempts'?");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.upstrem.orders.db.jitter", "0.1")))
                .hasMessageContaining("did you mean 'selfheal.upstream.orders.db.jitter'?");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.clasify.http.503", "TRANSIENT")))
                .hasMessageContaining("did you mean 'selfheal.classify.http.503'?");
    }

    @Test
    void theKnownKeysAreListedFromTheParsingCode() {
        assertThat(SelfhealConfig.knownKeys()).contains("selfheal.defaults.max-attempts",
                "selfheal.upstream.<name>.retry-after-max", "selfheal.classify.http.<status>", "selfheal.classify.default");
    }

    @Test
    void durationsAcceptTheDocumentedUnits() {
        assertThat(ConfigValues.duration("k", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ConfigValues.duration("k", "10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(ConfigValues.duration("k", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(ConfigValues.duration("k", "1h")).isEqualTo(Duration.ofHours(1));
        assertThat(ConfigValues.duration("k", "PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThat(ConfigValues.duration("k", "1.5s")).isEqualTo(Duration.ofMillis(1500));
    }

    private static void expectKey(String key, String value) {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of(key, value)))
                .as("%s=%s", key, value)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key));
    }
}
