package io.selfheal.runs;

import io.selfheal.config.ConfigException;
import io.selfheal.settings.SelfhealConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunHeartbeatTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        RunHeartbeat h = SelfhealConfig.defaults().runHeartbeat();
        assertThat(h.interval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(h.abandonAfter()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void bothAreReadFromTheJobsSection() {
        RunHeartbeat h = SelfhealConfig.load(Map.of("selfheal.jobs.heartbeat-interval", "500ms",
                "selfheal.jobs.abandon-after", "2s")).runHeartbeat();
        assertThat(h).isEqualTo(new RunHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(2)));
    }

    @Test
    void theyAreNotTakenForAJobsKeys() {
        SelfhealConfig c = SelfhealConfig.load(Map.of("selfheal.jobs.abandon-after", "5m",
                "selfheal.jobs.inventory-sync.retention", "7d"));
        assertThat(c.jobs().upstreamSettings()).containsOnlyKeys("inventory-sync");
        assertThat(c.runHeartbeat().abandonAfter()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void abandonAfterMustBeSeveralHeartbeats() {
        assertThat(SelfhealConfig.load(Map.of("selfheal.jobs.heartbeat-interval", "1s",
                "selfheal.jobs.abandon-after", "3s")).runHeartbeat().abandonAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.jobs.heartbeat-interval", "1s",
                "selfheal.jobs.abandon-after", "2s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid value PT2S for selfheal.jobs.abandon-after: must be at least 3 times "
                        + "selfheal.jobs.heartbeat-interval");
        // a longer heartbeat alone can make the default abandon-after too short: the error still names abandon-after
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.jobs.heartbeat-interval", "1m")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("for selfheal.jobs.abandon-after");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.jobs.heartbeat-interval", "0s")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.jobs.heartbeat-interval");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.jobs.abandon-after", "soon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.jobs.abandon-after");
    }

    @Test
    void aTypoSuggestsTheKey() {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.jobs.heartbeat-intervall", "5s")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.jobs.heartbeat-interval");
    }
}
