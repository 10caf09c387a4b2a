package io.selfheal.escalation;

import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.MutableClock;

import io.selfheal.settings.SelfhealConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pollers table beside the parked table, on H2, PostgreSQL and MariaDB: created when the store opens (also for a
 * store created before it existed), one row per job updated at each poll, its stop recorded, and the rows of jobs
 * silent for a day forgotten when another job starts polling.
 */
class ReplayPollersStoreTest {
    private static final Instant T = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private String url;
    private String user;
    private String table;

    @AfterEach
    void drop() {
        if (url != null && !url.startsWith("jdbc:h2:")) {
            EscalationTests.dropTable(url, user, table);
        }
    }

    private ParkedStore open(String db, MutableClock clock) {
        if (table == null) {
            table = EscalationTests.uniqueTable();
            switch (db) {
                case "h2" -> {
                    url = "jdbc:h2:mem:pollers-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
                    user = "sa";
                }
                case "postgresql" -> {
                    url = EscalationTests.PG_URL;
                    user = "postgres";
                }
                default -> {
                    url = EscalationTests.MARIADB_URL;
                    user = "root";
                }
            }
        }
        return new ParkedStore(SelfhealConfig.load(Map.of("selfheal.parked.url", url, "selfheal.parked.username", user,
                "selfheal.parked.password", "", "selfheal.parked.table", table)).parked(), clock);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void eachJobHasOneRowThatItsPollsAndItsStopUpdate(String db) throws Exception {
        MutableClock clock = new MutableClock(T);
        try (ParkedStore store = open(db, clock)) {
            assertThat(store.replayPollers().last()).isEmpty();

            store.recordReplayPoll("host-a:1/camel-1", Duration.ofSeconds(2));
            clock.advance(Duration.ofSeconds(2));
            store.recordReplayPoll("host-a:1/camel-1", Duration.ofSeconds(2));
            clock.advance(Duration.ofSeconds(1));
            store.recordReplayPoll("host-b:2/camel-1", Duration.ofSeconds(1));
            assertThat(store.replayPollers().polls()).hasSize(2);
            ReplayPoll a = store.replayPollers().polls().stream().filter(p -> p.instance().startsWith("host-a"))
                    .findFirst().orElseThrow();
            assertThat(a.polledAt()).isEqualTo(T.plusSeconds(2));
            assertThat(a.interval()).isEqualTo(Duration.ofSeconds(2));
            assertThat(a.stoppedAt()).isNull();
            assertThat(store.replayPollers().live(clock.instant())).isPresent();

            store.recordReplayPollerStopped("host-b:2/camel-1");
            clock.advance(Duration.ofSeconds(30));
            // host-a missed its polls, host-b stopped: nothing polls, and the newest poll is still named
            assertThat(store.replayPollers().live(clock.instant())).isEmpty();
            ReplayPoll last = store.replayPollers().last().orElseThrow();
            assertThat(last.instance()).isEqualTo("host-b:2/camel-1");
            assertThat(last.stoppedAt()).isEqualTo(T.plusSeconds(3));

            // a day later another job starts polling: the silent rows go, its own stays
            clock.advance(Duration.ofDays(1));
            store.recordReplayPoll("host-c:3/camel-1", Duration.ofSeconds(2));
            assertThat(store.replayPollers().polls()).extracting(ReplayPoll::instance).containsExactly("host-c:3/camel-1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void aStoreCreatedBeforeThePollersTableGainsItWhenItOpens(String db) throws Exception {
        MutableClock clock = new MutableClock(T);
        open(db, clock).close();
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            s.execute("DROP TABLE " + table + "_pollers");
        }
        try (ParkedStore store = open(db, clock)) {
            store.recordReplayPoll("host-a:1/camel-1", Duration.ofSeconds(2));
            assertThat(store.replayPollers().live(T)).isPresent();
        }
        // opening it again changes nothing
        try (ParkedStore store = open(db, clock)) {
            assertThat(store.replayPollers().polls()).hasSize(1);
        }
    }
}
