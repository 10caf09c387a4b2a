package io.selfheal.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The job the crash and soak runs give the jar, in a working directory of its own: the README's recipe. Keyed JSON
 * records arrive as files in {@code inbox/} (8 worker threads), pass an idempotent consumer on a PostgreSQL key table,
 * are POSTed to the ledger (with Idempotency-Key) and written by the {@code idempotent-jdbc-sink} Kamelet into a
 * PostgreSQL table; given-up records are parked on PostgreSQL. Scaled-down delays, no circuit breaker. The tables have
 * names unique to one run; {@link #dropTables()} removes them.
 */
public final class LedgerPipeline {
    static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String PG_USER = "postgres";
    public static final int MAX_ATTEMPTS = 10;

    final Path dir;
    final String keyTable;
    public final String sinkTable;
    public final String parkedTable;
    private Connection monitor;

    public LedgerPipeline(Path dir, String prefix) {
        this.dir = dir;
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        this.keyTable = prefix + "_keys_" + suffix;
        this.sinkTable = prefix + "_sink_" + suffix;
        this.parkedTable = prefix + "_parked_" + suffix;
    }

    /** Writes config/ and routes/, creates the inbox and the sink table. {@code run} is sent as header X-Run. */
    public void write(int ledgerPort, String extraProperties) throws IOException, SQLException {
        sql("CREATE TABLE " + sinkTable + " (record_id VARCHAR(20) PRIMARY KEY, idem_key VARCHAR(255) NOT NULL, "
                + "ledger_ref VARCHAR(200), run VARCHAR(10))");
        Files.createDirectories(dir.resolve("config"));
        Files.createDirectories(dir.resolve("routes"));
        Files.createDirectories(dir.resolve("inbox"));
        Files.createDirectories(dir.resolve("staging"));
        Files.writeString(dir.resolve("config/application.properties"), """
                # scaled-down delays, every store on PostgreSQL, no circuit breaker
                selfheal.defaults.max-attempts = %d
                selfheal.defaults.initial-delay = 20ms
                selfheal.defaults.max-delay = 500ms
                selfheal.defaults.recoverable-initial-delay = 200ms
                selfheal.defaults.retry-after-max = 5s
                selfheal.defaults.max-duration = 60s
                selfheal.idempotency.url = %s
                selfheal.idempotency.username = %s
                selfheal.idempotency.table = %s
                selfheal.idempotency.pool-size = 12
                selfheal.idempotency.claim-timeout = 2s
                selfheal.parked.url = %s
                selfheal.parked.username = %s
                selfheal.parked.table = %s
                selfheal.parked.replay-poll-interval = 0s
                selfheal.alert.sinks = log
                selfheal.alert.group-window = 10s
                # the accounting judges each record by its own fault plan: no breaker or budget cutting across them
                selfheal.breaker.defaults.enabled = false
                selfheal.budget.defaults.enabled = false
                selfheal.parked.auto-replay.enabled = false
                camel.main.shutdown-timeout = 5
                %s
                """.formatted(MAX_ATTEMPTS, PG_URL, PG_USER, keyTable, PG_URL, PG_USER, parkedTable, extraProperties));
        Files.writeString(dir.resolve("routes/ledger.yaml"), """
                - route:
                    id: ledger-inbox
                    routeConfigurationId: self-healing
                    from:
                      uri: file:inbox
                      parameters:
                        delete: true
                        readLock: none
                        include: ".*\\\\.json"
                        maxMessagesPerPoll: 100
                        delay: 20
                      steps:
                        - threads:
                            poolSize: 8
                            maxPoolSize: 8
                            maxQueueSize: 32
                        - setHeader: { name: record_id, simple: "${file:onlyname.noext}" }
                        - setHeader: { name: run, constant: "{{sys:ledger.run}}" }
                        - idempotentConsumer:
                            idempotentRepository: "#selfhealIdempotentRepository-ledger"
                            expression:
                              header: record_id
                            steps:
                              - setProperty: { name: SelfhealUpstream, constant: ledger }
                              - convertBodyTo: { type: String }
                              - setHeader: { name: Content-Type, constant: application/json }
                              - setHeader: { name: X-Run, constant: "{{sys:ledger.run}}" }
                              - to: "http://127.0.0.1:%d/ledger?httpMethod=POST&connectTimeout=2000&responseTimeout=10000"
                              - removeProperty: { name: SelfhealUpstream }
                              - setHeader: { name: ledger_ref, simple: "${bodyAs(String)}" }
                              - setHeader: { name: idem_key, simple: "${header.Idempotency-Key}" }
                              - kamelet:
                                  name: idempotent-jdbc-sink/ledger-sink
                                  parameters:
                                    table: %s
                                    keyColumns: record_id
                                    columns: "record_id,idem_key,ledger_ref,run"
                                    rowFrom: headers
                """.formatted(ledgerPort, sinkTable));
    }

    /** Puts one record in the inbox, written beside it and moved in, so the consumer never sees half a file. */
    public void drop(String id, String json) throws IOException {
        Path f = dir.resolve("staging").resolve(id + ".json");
        Files.writeString(f, json);
        Files.move(f, dir.resolve("inbox").resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    public static String record(String id, int amount) {
        return "{\"id\":\"" + id + "\",\"amount\":" + amount + ".50}";
    }

    /** Starts the jar on this directory; {@code run} names the run (header X-Run, sink column run). */
    public ChildJar start(String run, Path log, String... jvmArgs) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("-Xmx256m", "-Dledger.run=" + run));
        args.addAll(List.of(jvmArgs));
        return ChildJar.start(dir, log, args);
    }

    public Set<String> inSource() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("inbox"))) {
            Set<String> ids = new TreeSet<>();
            files.filter(f -> f.getFileName().toString().endsWith(".json"))
                    .forEach(f -> ids.add(f.getFileName().toString().replace(".json", "")));
            return ids;
        }
    }

    /** Records with an outcome: rows in the sink plus parked records (0 while a table does not exist yet). */
    public int progress() {
        return count("SELECT COUNT(*) FROM " + sinkTable) + count("SELECT COUNT(*) FROM " + parkedTable);
    }

    int count(String query) {
        try {
            if (monitor == null || monitor.isClosed()) {
                monitor = connect();
            }
            try (Statement s = monitor.createStatement(); ResultSet rs = s.executeQuery(query)) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            return 0;
        }
    }

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(PG_URL, PG_USER, "");
    }

    static void sql(String statement) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    public void dropTables() {
        try {
            if (monitor != null) {
                monitor.close();
            }
        } catch (SQLException ignored) {
            // closing only
        }
        for (String t : List.of(sinkTable, keyTable, parkedTable, parkedTable + "_pollers")) {
            try {
                sql("DROP TABLE IF EXISTS " + t);
            } catch (SQLException e) {
                // best effort: the names are unique
            }
        }
    }
}
