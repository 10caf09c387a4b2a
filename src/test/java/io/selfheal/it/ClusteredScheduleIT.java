package io.selfheal.it;

import io.selfheal.testing.ChildJar;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three jars on one clustered schedule in PostgreSQL (127.0.0.1:5432, db test), one killed mid-way (issue 16,
 * part 6). Each runs the same YAML route, a quartz trigger of 50 firings, which writes each firing's scheduled fire
 * time and instance into a log (every execution) and, idempotently, into a table with a UNIQUE constraint (the side
 * effect). The instance that fired last is killed with SIGKILL after about 20 firings; then: each of the 50 fire
 * times is in the side-effect table exactly once (lost 0, duplicated 0), every firing after the kill ran on a
 * survivor, and an execution ran twice only if the killed instance was running it (Quartz recovers its interrupted
 * job on a survivor: {@code recoverableJob}).
 */
class ClusteredScheduleIT {
    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final int FIRINGS = 50;
    private static final long INTERVAL_MS = 300;
    private static final int INSTANCES = 3;
    private static final int KILL_AFTER = 20;

    @TempDir
    Path tmp;
    private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private final String prefix = "it" + suffix + "_qrtz_";
    private final String log = "sched_it_log_" + suffix;
    private final String effects = "sched_it_effects_" + suffix;
    private final String parked = "sched_it_parked_" + suffix;
    private final List<ChildJar> jars = new ArrayList<>();

    @BeforeEach
    void tables() throws SQLException {
        sql("CREATE TABLE " + log + " (scheduled_fire_time BIGINT NOT NULL, instance VARCHAR(10) NOT NULL, "
                + "fired_at TIMESTAMP NOT NULL DEFAULT clock_timestamp())");
        sql("CREATE TABLE " + effects + " (scheduled_fire_time BIGINT NOT NULL UNIQUE, instance VARCHAR(10) NOT NULL, "
                + "fired_at TIMESTAMP NOT NULL DEFAULT clock_timestamp())");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (ChildJar jar : jars) {
            jar.close();
        }
        for (String table : List.of("fired_triggers", "paused_trigger_grps", "scheduler_state", "locks",
                "simple_triggers", "cron_triggers", "simprop_triggers", "blob_triggers", "triggers", "job_details",
                "calendars")) {
            sql("DROP TABLE IF EXISTS " + prefix + table);
        }
        for (String table : List.of(log, effects, parked, parked + "_pollers")) {
            sql("DROP TABLE IF EXISTS " + table);
        }
    }

    @Test
    void threeInstancesFireEachTriggerOnceAndASurvivorTakesOverFromTheKilledOne() throws Exception {
        // the first creates the tables and schedules the trigger; the others join its schedule
        jars.add(start(1));
        waitFor("instance 1 to fire", () -> count("SELECT COUNT(*) FROM " + log) > 0);
        for (int i = 2; i <= INSTANCES; i++) {
            jars.add(start(i));
        }
        waitFor("every instance to check in", () -> count("SELECT COUNT(*) FROM " + prefix + "scheduler_state")
                == INSTANCES);
        waitFor(KILL_AFTER + " firings", () -> count("SELECT COUNT(*) FROM " + effects) >= KILL_AFTER);

        String victim = text("SELECT instance FROM " + log + " ORDER BY fired_at DESC LIMIT 1");
        ChildJar killed = jars.get(Integer.parseInt(victim) - 1);
        killed.kill();
        Timestamp killedAt = timestamp("SELECT clock_timestamp()::timestamp");
        int beforeKill = count("SELECT COUNT(*) FROM " + effects + " WHERE fired_at <= '" + killedAt + "'");
        assertThat(beforeKill).as("the kill came mid-way, with firings left for the survivors").isLessThan(FIRINGS);

        waitFor("all " + FIRINGS + " firings", () -> count("SELECT COUNT(*) FROM " + effects) >= FIRINGS);
        // a few more intervals, in which nothing may fire: the trigger has no 51st firing
        await().pollDelay(Duration.ofMillis(INTERVAL_MS * 5)).until(() -> true);

        assertThat(count("SELECT COUNT(*) FROM " + effects)).as("side effects").isEqualTo(FIRINGS);
        assertThat(count("SELECT COUNT(DISTINCT scheduled_fire_time) FROM " + log)).as("fire times executed")
                .isEqualTo(FIRINGS);
        assertThat(count("SELECT (MAX(scheduled_fire_time) - MIN(scheduled_fire_time)) / " + INTERVAL_MS + " FROM "
                + effects)).as("the trigger's fire times, none lost in between").isEqualTo(FIRINGS - 1);
        assertThat(count("SELECT COUNT(*) FROM (SELECT scheduled_fire_time FROM " + log + " GROUP BY "
                + "scheduled_fire_time HAVING COUNT(*) > 1 AND COUNT(*) FILTER (WHERE instance = '" + victim
                + "') = 0) d")).as("fire times executed twice without the killed instance").isZero();
        assertThat(count("SELECT COUNT(*) FROM " + log + " WHERE fired_at > '" + killedAt + "' AND instance = '"
                + victim + "'")).as("firings on the killed instance after the kill").isZero();
        assertThat(count("SELECT COUNT(*) FROM " + effects + " WHERE fired_at > '" + killedAt + "'"))
                .as("firings after the kill, all on survivors").isEqualTo(FIRINGS - beforeKill);
        for (ChildJar jar : jars) {
            if (jar != killed) {
                assertThat(jar.isAlive()).as("a survivor:%n%s", jar.tail(30)).isTrue();
                assertThat(jar.output().lines().filter(l -> l.contains(" ERROR ") || l.contains("Exception")))
                        .as("errors in a survivor's log").isEmpty();
            }
        }
        long takeoverMillis = count("SELECT CAST(EXTRACT(EPOCH FROM (MIN(fired_at) - '" + killedAt + "')) * 1000 "
                + "AS INTEGER) FROM " + effects + " WHERE fired_at > '" + killedAt + "'");
        System.out.printf("clustered schedule: %d instances, instance %s killed after %d of %d firings; firings by "
                + "instance %s; executions %d; first firing on a survivor %d ms after the kill%n", INSTANCES, victim,
                beforeKill, FIRINGS, byInstance(), count("SELECT COUNT(*) FROM " + log), takeoverMillis);
    }

    private ChildJar start(int instance) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("instance-" + instance));
        Files.createDirectories(dir.resolve("config"));
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("config/application.properties"), """
                selfheal.parked.url = %s
                selfheal.parked.username = postgres
                selfheal.parked.table = %s
                selfheal.schedule.clustered = true
                selfheal.schedule.table-prefix = %s
                selfheal.schedule.check-in-interval = 1s
                camel.management.enabled = false
                camel.main.shutdown-timeout = 5
                """.formatted(PG_URL, parked, prefix));
        String originalFireTime = "${header.mergedJobDataMap[QRTZ_FAILED_JOB_ORIG_TRIGGER_SCHEDULED_FIRETIME_IN_MILLISECONDS_AS_STRING]}";
        Files.writeString(dir.resolve("routes/sync.yaml"), """
                - beans:
                    - name: scheduleTestDb
                      type: org.postgresql.ds.PGSimpleDataSource
                      properties:
                        url: "%s"
                        user: postgres
                - route:
                    id: sync
                    from:
                      uri: "quartz://selfheal-it/sync"
                      parameters:
                        trigger.repeatInterval: %d
                        trigger.repeatCount: %d
                        recoverableJob: true
                      steps:
                        - setHeader:
                            name: fire_time
                            simple: "${header.scheduledFireTime.time}"
                        # a job recovered from a dead instance keeps its original fire time in its data
                        - choice:
                            when:
                              - simple: "%s != null"
                                steps:
                                  - setHeader:
                                      name: fire_time
                                      simple: "%s"
                        - setHeader:
                            name: instance
                            constant: "%d"
                        - to: "sql:INSERT INTO %s (scheduled_fire_time, instance) VALUES (CAST(:#fire_time AS BIGINT), :#instance)?dataSource=#scheduleTestDb"
                        - to: "sql:INSERT INTO %s (scheduled_fire_time, instance) VALUES (CAST(:#fire_time AS BIGINT), :#instance) ON CONFLICT (scheduled_fire_time) DO NOTHING?dataSource=#scheduleTestDb"
                """.formatted(PG_URL, INTERVAL_MS, FIRINGS - 1, originalFireTime, originalFireTime, instance, log,
                effects));
        return ChildJar.start(dir, dir.resolve("jar.log"), List.of("-Xmx256m"));
    }

    private void waitFor(String what, Callable<Boolean> condition) {
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(condition);
        } catch (ConditionTimeoutException e) {
            StringBuilder tails = new StringBuilder();
            for (int i = 0; i < jars.size(); i++) {
                tails.append("\n--- instance ").append(i + 1).append(":\n").append(jars.get(i).tail(40));
            }
            throw new AssertionError("waited 60s for " + what + tails, e);
        }
    }

    private Map<String, Integer> byInstance() throws SQLException {
        Map<String, Integer> out = new TreeMap<>();
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT instance, COUNT(*) FROM " + effects + " GROUP BY instance")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getInt(2));
            }
        }
        return out;
    }

    private static int count(String query) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return 0; // a table the first instance has not created yet
            }
            throw e;
        }
    }

    private static String text(String query) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Timestamp timestamp(String query) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(PG_URL, "postgres", "");
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
