package io.selfheal.bench.idempotency;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.selfheal.bench.BenchReport;
import io.selfheal.bench.Machine;
import io.selfheal.bench.Table;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceHelper;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark 4: idempotent repository throughput on H2, PostgreSQL and MariaDB. 4 threads check new keys through an
 * {@link IdempotentRepository} ({@code add(key)}: the idempotent consumer's eager check, which must write), against 4
 * threads running a plain INSERT of the same row shape through the same connection pool. Two rounds per database in
 * alternating order; the rate is their mean.
 */
public final class IdempotencyBenchmark {
    static final String COMMAND = "mvn -B -q -Pbench test-compile exec:exec@idempotency";
    static final int THREADS = 4;
    static final long WARM_UP_MS = Long.getLong("bench.warmupMillis", 2_000L);
    static final long MEASURE_MS = Long.getLong("bench.measureMillis", 6_000L);
    static final int ROUNDS = 2;
    static final double GOAL = 0.8;
    static final String REPO_TABLE = "BENCH_IDEM_REPO";
    static final String PLAIN_TABLE = "BENCH_IDEM_PLAIN";

    record Database(String name, String url, String user, String password) {
    }

    static final List<Database> DATABASES = List.of(
            new Database("H2 (embedded file)", "jdbc:h2:file:./target/bench/h2/idempotency", "sa", ""),
            new Database("PostgreSQL", System.getProperty("bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"), "postgres", ""),
            new Database("MariaDB", System.getProperty("bench.mariadb.url", "jdbc:mariadb://127.0.0.1:3306/test"), "root", ""));

    private IdempotencyBenchmark() {
    }

    /**
     * THE ONE LINE TO CHANGE when Selfheal's JDBC idempotent repository (issue 4) is merged: return it here instead of
     * camel-sql's {@code JdbcMessageIdRepository}, which stands in for it until then.
     */
    static IdempotentRepository repository(DataSource ds) {
        return standIn(ds);
    }

    /** camel-sql's repository: SELECT COUNT(*) then INSERT in one transaction per check, on its own table. */
    static IdempotentRepository standIn(DataSource ds) {
        JdbcMessageIdRepository r = new JdbcMessageIdRepository(ds, "bench");
        r.setTableName(REPO_TABLE);
        return r;
    }

    interface Check {
        boolean run(String key) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Machine machine = Machine.watch();
        Table t = new Table("database", "plain INSERT /s", "repository checks /s", "× plain INSERT", "goal ≥ " + GOAL);
        List<String> notes = new ArrayList<>();
        String repositoryName = null;
        for (Database db : DATABASES) {
            try (HikariDataSource ds = pool(db)) {
                dropTables(ds);
                createPlainTable(ds);
                IdempotentRepository repo = repository(ds);
                repositoryName = repo.getClass().getName();
                ServiceHelper.startService(repo);
                try {
                    double plain = 0;
                    double checks = 0;
                    for (int round = 0; round < ROUNDS; round++) {
                        String prefix = "r" + round + "-";
                        boolean plainFirst = round % 2 == 0;
                        if (plainFirst) {
                            plain += rate(key -> plainInsert(ds, key), prefix + "p-");
                            checks += rate(repo::add, prefix + "c-");
                        } else {
                            checks += rate(repo::add, prefix + "c-");
                            plain += rate(key -> plainInsert(ds, key), prefix + "p-");
                        }
                    }
                    plain /= ROUNDS;
                    checks /= ROUNDS;
                    double ratio = checks / plain;
                    t.row(db.name(), Table.num(plain, 0), Table.num(checks, 0), Table.num(ratio, 2),
                            ratio >= GOAL ? "met" : "**MISSED**");
                    System.out.printf("%s: plain %.0f/s, checks %.0f/s%n", db.name(), plain, checks);
                } finally {
                    ServiceHelper.stopService(repo);
                    dropTables(ds);
                }
            } catch (SQLException | RuntimeException e) {
                t.row(db.name(), "—", "—", "—", "not run");
                notes.add(db.name() + " could not be measured: " + e.getMessage());
            }
        }
        StringBuilder b = new StringBuilder();
        b.append(t).append('\n');
        b.append("Repository measured: `").append(repositoryName).append("`");
        if (repositoryName != null && repositoryName.startsWith("org.apache.camel")) {
            b.append(" — camel-sql's, standing in for Selfheal's JDBC idempotent repository (issue 4, not merged yet). "
                    + "It checks with SELECT COUNT(*) and then INSERTs, in a transaction of its own, so each new key "
                    + "costs two statements and a commit where the plain loop pays one INSERT: a miss of the goal here "
                    + "is the stand-in's, and the row is to be re-run once `IdempotencyBenchmark.repository` returns "
                    + "Selfheal's repository");
        }
        b.append(".\n\n");
        b.append(THREADS).append(" threads; every check is of a new key (the idempotent consumer's eager `add`, the "
                + "path that writes); the plain loop INSERTs the same row shape (processor name, message id, timestamp; "
                + "primary key on the first two) into a table of its own, one autocommitted statement per row, borrowing "
                + "a connection from the same HikariCP pool (").append(THREADS).append(" connections) per row as the "
                + "repository does. ").append(ROUNDS).append(" rounds per database in alternating order, each ")
                .append(WARM_UP_MS / 1000.0).append(" s warm-up + ").append(MEASURE_MS / 1000.0)
                .append(" s measured; the rates are the rounds' mean. Tables `").append(REPO_TABLE).append("` and `")
                .append(PLAIN_TABLE).append("` are dropped before and after. Databases: H2 2.5.252 file under "
                        + "target/bench, PostgreSQL and MariaDB on 127.0.0.1 (database `test`).\n");
        for (String n : notes) {
            b.append("\n").append(n).append('\n');
        }
        BenchReport.publish("idempotency", b.toString(), machine.describe(COMMAND));
    }

    /** Operations per second of {@code check} on {@link #THREADS} threads, each with keys of its own. */
    static double rate(Check check, String keyPrefix) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong count = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            String prefix = keyPrefix + i + "-";
            Thread th = new Thread(() -> {
                long n = 0;
                try {
                    while (!stop.get()) {
                        if (!check.run(prefix + n++)) {
                            failures.incrementAndGet();
                        } else if (measuring.get()) {
                            count.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                    System.err.println("check failed: " + e);
                } finally {
                    finished.countDown();
                }
            }, "idem-bench-" + i);
            threads.add(th);
            th.start();
        }
        Thread.sleep(WARM_UP_MS);
        measuring.set(true);
        long start = System.nanoTime();
        Thread.sleep(MEASURE_MS);
        measuring.set(false);
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        finished.await(60, TimeUnit.SECONDS);
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " checks of new keys did not add them");
        }
        return count.get() / (elapsed / 1e9);
    }

    static boolean plainInsert(DataSource ds, String key) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + PLAIN_TABLE
                     + " (processorName, messageId, createdAt) VALUES (?, ?, ?)")) {
            ps.setString(1, "bench");
            ps.setString(2, key);
            ps.setTimestamp(3, new Timestamp(System.currentTimeMillis()));
            return ps.executeUpdate() == 1;
        }
    }

    static HikariDataSource pool(Database db) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(db.url());
        c.setUsername(db.user());
        c.setPassword(db.password());
        c.setMaximumPoolSize(THREADS);
        c.setMinimumIdle(THREADS);
        c.setAutoCommit(true);
        c.setPoolName("bench-" + db.name().replaceAll("\\W", ""));
        c.setConnectionTimeout(10_000);
        c.setInitializationFailTimeout(10_000);
        return new HikariDataSource(c);
    }

    static void createPlainTable(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + PLAIN_TABLE + " (processorName VARCHAR(255), messageId VARCHAR(100), "
                    + "createdAt TIMESTAMP, PRIMARY KEY (processorName, messageId))");
        }
    }

    static void dropTables(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + PLAIN_TABLE);
            s.execute("DROP TABLE IF EXISTS " + REPO_TABLE);
        }
    }
}
