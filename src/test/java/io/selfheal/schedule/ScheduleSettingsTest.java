package io.selfheal.schedule;

import io.selfheal.config.ConfigException;
import io.selfheal.settings.SelfhealConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleSettingsTest {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";

    @Test
    void offByDefaultOnTheParkedStoresDatabase() {
        ScheduleSettings s = SelfhealConfig.defaults().schedule();
        assertThat(s.clustered()).isFalse();
        assertThat(s.database().url()).isEqualTo(SelfhealConfig.defaults().parked().url());
        assertThat(s.tablePrefix()).isEqualTo(ScheduleSettings.DEFAULT_TABLE_PREFIX);
        assertThat(s.checkInInterval()).isEqualTo(Duration.ofMillis(7_500));
        assertThat(s.threads()).isEqualTo(ScheduleSettings.DEFAULT_THREADS);
    }

    @Test
    void clusteredOnTheParkedPostgreSqlDatabase() {
        ScheduleSettings s = SelfhealConfig.load(Map.of("selfheal.schedule.clustered", "true",
                "selfheal.parked.url", PG, "selfheal.parked.username", "postgres", "selfheal.parked.password", "pw",
                "selfheal.schedule.check-in-interval", "1s", "selfheal.schedule.table-prefix", "jobs_qrtz_")).schedule();
        assertThat(s.clustered()).isTrue();
        assertThat(s.database().url()).isEqualTo(PG);
        assertThat(s.database().username()).isEqualTo("postgres");
        assertThat(s.database().password()).isEqualTo("pw");
        assertThat(s.databaseKey()).isEqualTo("selfheal.parked.url");
        assertThat(s.checkInInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.tablePrefix()).isEqualTo("jobs_qrtz_");
        assertThat(s.toString()).doesNotContain("pw");
    }

    @Test
    void clusteredOnItsOwnDatabase() {
        ScheduleSettings s = SelfhealConfig.load(Map.of("selfheal.schedule.clustered", "true",
                "selfheal.schedule.url", PG, "selfheal.schedule.username", "scheduler")).schedule();
        assertThat(s.database().url()).isEqualTo(PG);
        assertThat(s.database().username()).isEqualTo("scheduler");
        assertThat(s.databaseKey()).isEqualTo("selfheal.schedule.url");
    }

    @Test
    void itsOwnUserOnTheParkedStoresDatabase() {
        ScheduleSettings s = SelfhealConfig.load(Map.of("selfheal.parked.url", PG, "selfheal.parked.username", "app",
                "selfheal.schedule.username", "scheduler", "selfheal.schedule.password", "secret")).schedule();
        assertThat(s.database().url()).isEqualTo(PG);
        assertThat(s.database().username()).isEqualTo("scheduler");
        assertThat(s.database().password()).isEqualTo("secret");
    }

    @Test
    void clusteredRefusesTheDefaultH2StoreNamingTheParkedUrl() {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.schedule.clustered", "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("selfheal.parked.url").hasMessageContaining("PostgreSQL")
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("selfheal.parked.url");
    }

    @Test
    void clusteredRefusesAnotherDatabaseNamingTheScheduleUrl() {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.schedule.clustered", "true",
                "selfheal.schedule.url", "jdbc:mariadb://127.0.0.1:3306/test")))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("selfheal.schedule.url");
    }

    @Test
    void offAcceptsAnyDatabase() {
        assertThat(SelfhealConfig.load(Map.of("selfheal.schedule.url", "jdbc:h2:mem:x")).schedule().clustered())
                .isFalse();
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.schedule.table-prefix", "Qrtz-")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.schedule.table-prefix");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.schedule.check-in-interval", "0s")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.schedule.check-in-interval");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.schedule.threads", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.schedule.threads");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.schedule.clustered", "yes please")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.schedule.clustered");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.schedule.url", "jdbc:oracle:thin:@db:1521:x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.schedule.url");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.schedule.clusterd", "true")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.schedule.clustered");
    }
}
