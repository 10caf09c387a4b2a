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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three jars on one PostgreSQL (127.0.0.1:5432, db test: their parked store, run store and clustered schedule), one
 * killed with SIGKILL in the middle of a run (issue 16, part 6). Each runs the same YAML job: a quartz trigger whose
 * run fetches every record of a source table, then, per record, waits a little and writes it through the
 * {@code idempotent-jdbc-sink} Kamelet into a sink table (stamped with the instance and run that wrote it).
 * <p>
 * The source's records are inserted once all three instances are in, so the first run that sees them is the one
 * killed. Then: a survivor marks the killed run ABANDONED in the run store, the next run starts on a survivor and
 * ends CLEAN, every source record is in the sink exactly once (the killed run wrote some, the survivor's redo the
 * rest; the ones written twice were absorbed by the sink), and the survivors logged no ERROR but the abandoned run's
 * page.
 */
class ClusteredRunsIT {
    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final int INSTANCES = 3;
    private static final int RECORDS = 16;
    private static final long RECORD_DELAY_MS = 300;
    private static final long TRIGGER_EVERY_MS = 2_000;
    /** Records the killed run has written when it is killed: more than none, fewer than all. */
    private static final int KILL_AT = 4;
    private static final Pattern INSTANCE_DIR = Pattern.compile("instance-(\\d+)");

    @TempDir
    Path tmp;
    private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private final String prefix = "it" + suffix + "_qrtz_";
    private final String job = "export-" + suffix;
    private final String source = "runs_it_source_" + suffix;
    private final String sink = "runs_it_sink_" + suffix;
    private final String parked = "runs_it_parked_" + suffix;
    private final List<ChildJar> jars = new ArrayList<>();

    @BeforeEach
    void tables() throws SQLException {
        sql("CREATE TABLE " + source + " (id INT PRIMARY KEY, payload VARCHAR(40) NOT NULL)");
        sql("CREATE TABLE " + sink + " (id INT PRIMARY KEY, payload VARCHAR(40) NOT NULL, instance VARCHAR(10) NOT NULL, "
                + "run_id VARCHAR(64) NOT NULL, written_at TIMESTAMP NOT NULL DEFAULT clock_timestamp())");
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
        for (String table : List.of(source, sink, parked, parked + "_pollers")) {
            sql("DROP TABLE IF EXISTS " + table);
        }
        if (count("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'selfheal_runs'") > 0) {
            sql("DELETE FROM selfheal_runs WHERE job = '" + job + "'");
        }
    }

    @Test
    void aSurvivorAbandonsTheKilledInstancesRunAndItsRedoDeliversEveryRecordOnce() throws Exception {
        // the first creates the tables and schedules the trigger; the others join its schedule
        jars.add(start(1));
        waitFor("instance 1 to check in", () -> count("SELECT COUNT(*) FROM " + prefix + "scheduler_state") == 1);
        for (int i = 2; i <= INSTANCES; i++) {
            jars.add(start(i));
        }
        waitFor("every instance to check in", () -> count("SELECT COUNT(*) FROM " + prefix + "scheduler_state")
                == INSTANCES);
        waitFor("a run of the job", () -> count("SELECT COUNT(*) FROM selfheal_runs WHERE job = '" + job + "'") > 0);

        StringBuilder insert = new StringBuilder("INSERT INTO " + source + " (id, payload) VALUES ");
        for (int id = 1; id <= RECORDS; id++) {
            insert.append(id == 1 ? "" : ", ").append("(").append(id).append(", 'record-").append(id).append("')");
        }
        sql(insert.toString());
        waitFor(KILL_AT + " records in the sink", () -> count("SELECT COUNT(*) FROM " + sink) >= KILL_AT);

        String killedRun = text("SELECT run_id FROM " + sink + " ORDER BY written_at LIMIT 1");
        String victim = text("SELECT instance FROM " + sink + " WHERE run_id = '" + killedRun + "' LIMIT 1");
        String victimId = text("SELECT instance_id FROM selfheal_runs WHERE run_id = '" + killedRun + "'");
        assertThat(instanceOf(victimId)).as("the run's instance in the store").isEqualTo(victim);
        ChildJar killed = jars.get(Integer.parseInt(victim) - 1);
        killed.kill();
        Timestamp killedAt = timestamp("SELECT clock_timestamp() AT TIME ZONE 'UTC'");
        int writtenByVictim = count("SELECT COUNT(*) FROM " + sink + " WHERE run_id = '" + killedRun + "'");
        assertThat(writtenByVictim).as("the kill landed mid-run").isBetween(KILL_AT, RECORDS - 1);

        waitFor("the killed run ABANDONED", () -> "ABANDONED".equals(text("SELECT COALESCE(outcome, '-') FROM "
                + "selfheal_runs WHERE run_id = '" + killedRun + "'")));
        Timestamp abandonedAt = timestamp("SELECT clock_timestamp() AT TIME ZONE 'UTC'");
        waitFor("a CLEAN run on a survivor with every record", () -> count("SELECT COUNT(*) FROM selfheal_runs "
                + "WHERE job = '" + job + "' AND started_at > '" + killedAt + "' AND outcome = 'CLEAN' AND "
                + "CAST(counts::json ->> 'records' AS INT) = " + RECORDS) > 0);

        String failure = text("SELECT failure FROM selfheal_runs WHERE run_id = '" + killedRun + "'");
        Matcher foundBy = Pattern.compile("found by (\\S+)\\)?$").matcher(failure);
        assertThat(foundBy.find()).as("who abandoned it: %s", failure).isTrue();
        assertThat(instanceOf(foundBy.group(1))).as("the instance that marked it ABANDONED").isNotEqualTo(victim);
        assertThat(text("SELECT state FROM selfheal_runs WHERE run_id = '" + killedRun + "'")).isEqualTo("ENDED");

        List<String> after = texts("SELECT instance_id FROM selfheal_runs WHERE job = '" + job + "' AND started_at > '"
                + killedAt + "'");
        assertThat(after).as("runs after the kill").isNotEmpty()
                .allSatisfy(id -> assertThat(instanceOf(id)).as("a run after the kill").isNotEqualTo(victim));

        assertThat(count("SELECT COUNT(*) FROM " + sink)).as("records in the sink").isEqualTo(RECORDS);
        assertThat(count("SELECT COUNT(*) FROM " + source + " s LEFT JOIN " + sink + " k ON k.id = s.id AND "
                + "k.payload = s.payload WHERE k.id IS NULL")).as("records lost").isZero();
        int redone = count("SELECT COUNT(*) FROM " + sink + " WHERE run_id <> '" + killedRun + "'");
        assertThat(redone).as("records the redo wrote").isEqualTo(RECORDS - writtenByVictim);
        assertThat(count("SELECT COUNT(*) FROM " + sink + " WHERE run_id <> '" + killedRun + "' AND instance = '"
                + victim + "'")).as("records the killed instance wrote outside its run").isZero();

        for (ChildJar jar : jars) {
            if (jar != killed) {
                assertThat(jar.isAlive()).as("a survivor:%n%s", jar.tail(30)).isTrue();
                assertThat(jar.output().lines().filter(l -> (l.contains(" ERROR ") || l.contains("Exception"))
                        && !l.contains("Job " + job + ", run of ")))
                        .as("errors in a survivor's log, but the abandoned run's page").isEmpty();
            }
        }
        long pages = jars.stream().filter(j -> j != killed).flatMap(j -> j.output().lines())
                .filter(l -> l.contains(" ERROR ") && l.contains("Job " + job + ", run of ")
                        && l.contains("was abandoned")).count();
        assertThat(pages).as("the abandoned run's page, sent by the survivor that found it").isEqualTo(1);

        long abandonMillis = millisBetween(killedAt, abandonedAt);
        Timestamp redoStarted = timestamp("SELECT MIN(started_at) FROM selfheal_runs WHERE job = '" + job
                + "' AND started_at > '" + killedAt + "'");
        System.out.printf("clustered runs: %d instances, instance %s killed mid-run after %d of %d records; "
                        + "run ABANDONED (found by instance %s) within %d ms of the kill; the next run began on "
                        + "instance %s %d ms after the kill; its redo wrote %d records; records by instance %s%n",
                INSTANCES, victim, writtenByVictim, RECORDS, instanceOf(foundBy.group(1)), abandonMillis,
                instanceOf(text("SELECT instance_id FROM selfheal_runs WHERE job = '" + job + "' AND started_at > '"
                        + killedAt + "' ORDER BY started_at LIMIT 1")), millisBetween(killedAt, redoStarted),
                redone, byInstance());
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
                selfheal.jobs.heartbeat-interval = 500ms
                selfheal.jobs.abandon-after = 3s
                camel.management.enabled = false
                camel.main.shutdown-timeout = 5
                """.formatted(PG_URL, parked, prefix));
        Files.writeString(dir.resolve("routes/export.yaml"), """
                - beans:
                    - name: exportDb
                      type: org.postgresql.ds.PGSimpleDataSource
                      properties:
                        url: "%s"
                        user: postgres
                - route:
                    id: %s
                    routeConfigurationId: self-healing
                    from:
                      uri: "quartz://selfheal-it/%s"
                      parameters:
                        trigger.repeatInterval: %d
                        trigger.repeatCount: -1
                        stateful: true
                      steps:
                        - to: "sql:SELECT id, payload FROM %s ORDER BY id?dataSource=#exportDb"
                        - split:
                            simple: "${body}"
                            steps:
                              - delay:
                                  constant: %d
                              - setBody:
                                  simple: '{"id": ${body[id]}, "payload": "${body[payload]}", "instance": "%d", "run_id": "${exchangeProperty.SelfhealRunId}"}'
                              - to: "kamelet:idempotent-jdbc-sink?table=%s&keyColumns=id&columns=id,payload,instance,run_id&dataSource=exportDb"
                """.formatted(PG_URL, job, job, TRIGGER_EVERY_MS, source, RECORD_DELAY_MS, instance, sink));
        return ChildJar.start(dir, dir.resolve("jar.log"), List.of("-Xmx256m"));
    }

    /** "1" for an instance id such as host:/tmp/.../instance-1#camel-1. */
    private static String instanceOf(String instanceId) {
        Matcher m = INSTANCE_DIR.matcher(instanceId);
        assertThat(m.find()).as("an instance id with its working directory: %s", instanceId).isTrue();
        return m.group(1);
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

    private static long millisBetween(Timestamp from, Timestamp to) {
        return to.getTime() - from.getTime();
    }

    private Map<String, Integer> byInstance() throws SQLException {
        Map<String, Integer> out = new TreeMap<>();
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT instance, COUNT(*) FROM " + sink + " GROUP BY instance")) {
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
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static List<String> texts(String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
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
