package io.selfheal.escalation;

import io.selfheal.config.ConfigException;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.retry.GiveUpReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EscalationConfigTest {

    @Test
    void defaults() {
        SelfhealConfig c = SelfhealConfig.defaults();
        assertThat(c.alert().sinks()).containsExactly("log");
        assertThat(c.alert().groupWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.alert().retryMaxAttempts()).isEqualTo(3);
        assertThat(c.parked().url()).isEqualTo("jdbc:h2:file:./data/selfheal-parked;AUTO_SERVER=TRUE;WRITE_DELAY=0");
        assertThat(c.parked().table()).isEqualTo("selfheal_parked");
        assertThat(c.parked().maxBodySize()).isEqualTo(10L * 1024 * 1024);
        assertThat(c.parked().sensitiveHeaderMode()).isEqualTo(ParkedSettings.SensitiveHeaderMode.REDACT);
        assertThat(c.parked().apiToken()).isNull();
        assertThat(c.parked().autoReplayEnabled()).isTrue();
        assertThat(c.parked().autoReplayReasons()).containsExactlyInAnyOrder(GiveUpReason.BREAKER_OPEN,
                GiveUpReason.BUDGET_EXHAUSTED, GiveUpReason.DURATION, GiveUpReason.RETRY_AFTER_BEYOND_CAP);
    }

    @Test
    void anEmbeddedH2FileGetsLongerToOpenThanADatabaseServer() {
        // a killed holder's stale lock file is waited out before the file opens; a server that is down is not waited for
        assertThat(SelfhealConfig.defaults().parked().jdbc().connectionTimeout()).isEqualTo(Duration.ofSeconds(30));
        SelfhealConfig pg = SelfhealConfig.load(Map.of("selfheal.parked.url", "jdbc:postgresql://127.0.0.1:5432/test"));
        assertThat(pg.parked().jdbc().connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void everyKeyIsRead() {
        SelfhealConfig c = SelfhealConfig.load(Map.ofEntries(
                Map.entry("selfheal.alert.sinks", "log, webhook,alertmanager"),
                Map.entry("selfheal.alert.webhook.url", "https://hooks.example.com/services/T0/B0/X"),
                Map.entry("selfheal.alert.webhook.header.Authorization", "Bearer abc"),
                Map.entry("selfheal.alert.alertmanager.url", "http://127.0.0.1:9093/"),
                Map.entry("selfheal.alert.alertmanager.label.severity", "page"),
                Map.entry("selfheal.alert.group-window", "30s"),
                Map.entry("selfheal.alert.timeout", "2s"),
                Map.entry("selfheal.alert.queue-capacity", "50"),
                Map.entry("selfheal.alert.retry.max-attempts", "5"),
                Map.entry("selfheal.alert.retry.delay", "200ms"),
                Map.entry("selfheal.parked.url", "jdbc:postgresql://db/selfheal"),
                Map.entry("selfheal.parked.username", "app"),
                Map.entry("selfheal.parked.password", "pw"),
                Map.entry("selfheal.parked.table", "my_parked"),
                Map.entry("selfheal.parked.sensitive-headers", "X-Tenant-Secret, X-Signature"),
                Map.entry("selfheal.parked.sensitive-header-mode", "drop"),
                Map.entry("selfheal.parked.max-body-size", "512KB"),
                Map.entry("selfheal.parked.api-token", "0123456789abcdef0123"),
                Map.entry("selfheal.parked.replay-poll-interval", "5s"),
                Map.entry("selfheal.parked.replay-timeout", "30m"),
                Map.entry("selfheal.parked.auto-replay.enabled", "false"),
                Map.entry("selfheal.parked.auto-replay.reasons", "DURATION"),
                Map.entry("selfheal.parked.auto-replay.rate", "0.5")));
        assertThat(c.alert().sinks()).containsExactly("log", "webhook", "alertmanager");
        assertThat(c.alert().webhookHeaders()).containsEntry("Authorization", "Bearer abc");
        assertThat(c.alert().alertmanagerLabels()).containsEntry("severity", "page");
        assertThat(c.alert().groupWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.parked().redactor().isSensitiveHeader("x-tenant-secret")).isTrue();
        assertThat(c.parked().sensitiveHeaderMode()).isEqualTo(ParkedSettings.SensitiveHeaderMode.DROP);
        assertThat(c.parked().maxBodySize()).isEqualTo(512 * 1024);
        assertThat(c.parked().autoReplayReasons()).containsExactly(GiveUpReason.DURATION);
        assertThat(c.parked().autoReplayRate()).isEqualTo(0.5);
    }

    @Test
    void invalidValuesStopStartUpNamingTheKey() {
        List<Map<String, String>> bad = List.of(
                Map.of("selfheal.alert.sinks", "log,pager"),
                Map.of("selfheal.alert.group-window", "five minutes"),
                Map.of("selfheal.alert.sinks", "webhook"),
                Map.of("selfheal.alert.sinks", "alertmanager", "selfheal.alert.alertmanager.url", "ftp://x"),
                Map.of("selfheal.alert.retry.max-attempts", "0"),
                Map.of("selfheal.alert.queue-capacity", "-1"),
                Map.of("selfheal.alert.alertmanager.label.bad-name", "x"),
                Map.of("selfheal.parked.url", "jdbc:oracle:thin:@db"),
                Map.of("selfheal.parked.table", "parked; DROP TABLE x"),
                Map.of("selfheal.parked.max-body-size", "10XB"),
                Map.of("selfheal.parked.sensitive-header-mode", "hide"),
                Map.of("selfheal.parked.api-token", "short"),
                Map.of("selfheal.parked.auto-replay.reasons", "DURATION,SOMETIMES"),
                Map.of("selfheal.parked.auto-replay.rate", "0"),
                Map.of("selfheal.parked.auto-replay.enabled", "maybe"));
        for (Map<String, String> props : bad) {
            String key = props.keySet().stream().filter(k -> !k.endsWith(".url") || props.size() == 1).findFirst().orElseThrow();
            String expectedKey = props.equals(Map.of("selfheal.alert.sinks", "webhook")) ? "selfheal.alert.webhook.url"
                    : props.containsKey("selfheal.alert.alertmanager.url") ? "selfheal.alert.alertmanager.url" : key;
            assertThatThrownBy(() -> SelfhealConfig.load(props)).as(props.toString())
                    .isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(expectedKey))
                    .hasMessageContaining(expectedKey);
        }
    }

    @Test
    void aTypoIsRejectedWithASuggestion() {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.alert.sink", "log")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean 'selfheal.alert.sinks'");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.parked.max-body", "1MB")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.parked.max-body-size");
    }

    @Test
    void secretsInConfiguredUrlsAreNotEchoed() {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.alert.sinks", "webhook",
                "selfheal.alert.webhook.url", "hooks.example.com/SECRET-PATH")))
                .hasMessageNotContaining("SECRET-PATH");
    }

    @Test
    void headersAreEncodedRedactedOrDroppedAndDecoded() {
        Redactor r = new Redactor(Set.of("X-Tenant-Secret"));
        Map<String, Object> headers = new java.util.LinkedHashMap<>();
        headers.put("Authorization", "Bearer abc");
        headers.put("X-Tenant-Secret", "t");
        headers.put("orderId", 17);
        headers.put("note", "quote \" and \\ and\nnewline ü");
        headers.put("object", new Object());
        String redacted = ParkedHeaders.encode(headers, r, ParkedSettings.SensitiveHeaderMode.REDACT);
        assertThat(ParkedHeaders.decode(redacted)).containsEntry("Authorization", "***").containsEntry("X-Tenant-Secret", "***")
                .containsEntry("orderId", "17").containsEntry("note", "quote \" and \\ and\nnewline ü").doesNotContainKey("object");
        assertThat(ParkedHeaders.forReplay(redacted)).doesNotContainKey("Authorization").containsKey("orderId");
        String dropped = ParkedHeaders.encode(headers, r, ParkedSettings.SensitiveHeaderMode.DROP);
        assertThat(ParkedHeaders.decode(dropped)).doesNotContainKeys("Authorization", "X-Tenant-Secret").containsKey("orderId");
    }
}
