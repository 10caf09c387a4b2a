package io.selfheal.runs;

import io.selfheal.config.ConfigException;
import io.selfheal.settings.SelfhealConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobSettingsTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        JobSettings s = SelfhealConfig.defaults().jobFor("inventory-sync");
        assertThat(s.enabled()).isTrue();
        assertThat(s.retention()).isEqualTo(Duration.ofDays(30));
        assertThat(s.pagePolicy()).isEqualTo(new RunPagePolicy(RunPagePolicy.Trigger.ANY_PARTIAL, 0, 0.01));
        assertThat(s.runbook()).isEmpty();
        assertThat(s.misfire()).isEqualTo(MisfirePolicy.SKIP);
        assertThat(s.runDeadline()).as("until the next trigger").isEmpty();
        assertThat(s.runMaxAttempts()).as("selfheal.defaults.max-attempts").isEqualTo(8);
        assertThat(s.timeZone()).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void aJobsOwnKeysGoOnTopOfTheDefaults() {
        SelfhealConfig c = SelfhealConfig.load(Map.ofEntries(
                Map.entry("selfheal.defaults.max-attempts", "5"),
                Map.entry("selfheal.jobs.defaults.retention", "7d"),
                Map.entry("selfheal.jobs.defaults.runbook", "https://runbooks.example/all"),
                Map.entry("selfheal.jobs.defaults.time-zone", "Europe/Berlin"),
                Map.entry("selfheal.jobs.inventory-sync.page", "parked-share"),
                Map.entry("selfheal.jobs.inventory-sync.page-parked-share", "5%"),
                Map.entry("selfheal.jobs.inventory-sync.runbook", "https://runbooks.example/inventory-sync"),
                Map.entry("selfheal.jobs.inventory-sync.misfire", "queue"),
                Map.entry("selfheal.jobs.inventory-sync.run-deadline", "14m"),
                Map.entry("selfheal.jobs.exports.nightly.page", "parked-count"),
                Map.entry("selfheal.jobs.exports.nightly.page-parked-count", "10"),
                Map.entry("selfheal.jobs.exports.nightly.run-max-attempts", "2"),
                Map.entry("selfheal.jobs.exports.nightly.enabled", "false")));
        JobSettings sync = c.jobFor("inventory-sync");
        assertThat(sync.pagePolicy()).isEqualTo(new RunPagePolicy(RunPagePolicy.Trigger.PARKED_SHARE, 0, 0.05));
        assertThat(sync.runbook()).contains("https://runbooks.example/inventory-sync");
        assertThat(sync.misfire()).isEqualTo(MisfirePolicy.QUEUE);
        assertThat(sync.runDeadline()).contains(Duration.ofMinutes(14));
        assertThat(sync.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(sync.timeZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(sync.runMaxAttempts()).isEqualTo(5);

        JobSettings nightly = c.jobFor("exports.nightly");
        assertThat(nightly.enabled()).isFalse();
        assertThat(nightly.pagePolicy()).isEqualTo(new RunPagePolicy(RunPagePolicy.Trigger.PARKED_COUNT, 10, 0.01));
        assertThat(nightly.runMaxAttempts()).isEqualTo(2);
        assertThat(nightly.runbook()).contains("https://runbooks.example/all");

        assertThat(c.jobFor("anything-else")).isEqualTo(c.jobs().defaultSettings());
        assertThat(c.jobs().upstreamSettings()).containsOnlyKeys("inventory-sync", "exports.nightly");
    }

    @Test
    void aDeadlineOfNoneIsUntilTheNextTrigger() {
        SelfhealConfig c = SelfhealConfig.load(Map.of("selfheal.jobs.defaults.run-deadline", "1h",
                "selfheal.jobs.inventory-sync.run-deadline", "none"));
        assertThat(c.jobFor("other").runDeadline()).contains(Duration.ofHours(1));
        assertThat(c.jobFor("inventory-sync").runDeadline()).isEmpty();
    }

    @Test
    void invalidValuesNameTheirKey() {
        expectError("selfheal.jobs.defaults.page", "sometimes", "expected any-partial, parked-count, parked-share, failed-only or never");
        expectError("selfheal.jobs.inventory-sync.page-parked-count", "-1", "must be at least 0");
        expectError("selfheal.jobs.defaults.page-parked-share", "150%", "0 to 1 or 0% to 100%");
        expectError("selfheal.jobs.defaults.page-parked-share", "lots", "Invalid number");
        expectError("selfheal.jobs.defaults.runbook", "runbooks.example/x", "expected an http:// or https:// URL");
        expectError("selfheal.jobs.defaults.misfire", "overlap", "expected skip or queue");
        expectError("selfheal.jobs.defaults.run-deadline", "0s", "must be positive");
        expectError("selfheal.jobs.defaults.run-deadline", "soon", "expected a number with a unit");
        expectError("selfheal.jobs.defaults.run-max-attempts", "0", "must be at least 1");
        expectError("selfheal.jobs.defaults.retention", "0d", "must be positive");
        expectError("selfheal.jobs.defaults.time-zone", "Mars/Olympus", "Invalid time zone");
        expectError("selfheal.jobs.defaults.enabled", "maybe", "expected true or false");
    }

    private static void expectError(String key, String value, String says) {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key)
                .hasMessageContaining(says)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key));
    }

    @Test
    void aTypoGetsTheNearestValidKey() {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.jobs.defaults.retension", "7d")))
                .hasMessage("Unknown configuration key 'selfheal.jobs.defaults.retension'; did you mean "
                        + "'selfheal.jobs.defaults.retention'?");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.jobs.inventory-sync.run-dealine", "5m")))
                .hasMessage("Unknown configuration key 'selfheal.jobs.inventory-sync.run-dealine'; did you mean "
                        + "'selfheal.jobs.inventory-sync.run-deadline'?");
    }

    @Test
    void everyKeyOfTheSectionIsKnown() {
        for (String suffix : JobSettings.KEYS) {
            assertThat(SelfhealConfig.knownKeys()).contains("selfheal.jobs.defaults." + suffix,
                    "selfheal.jobs.<name>." + suffix);
        }
        assertThat(JobSettings.defaults(io.selfheal.retry.RetryPolicy.defaults()).runbook()).isEqualTo(Optional.empty());
    }
}
