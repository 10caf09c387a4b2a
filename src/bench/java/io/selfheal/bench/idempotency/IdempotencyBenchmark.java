package io.selfheal.bench.idempotency;

import io.selfheal.camel.Selfheal;
import io.selfheal.camel.idempotency.JdbcIdempotentRepository;

import io.selfheal.bench.BenchReport;
import io.selfheal.bench.Machine;
import io.selfheal.bench.SelfhealContender;
import io.selfheal.bench.Table;
import io.selfheal.camel.idempotency.SelfhealIdempotency;
import io.selfheal.idempotency.IdempotencySettings;

import io.selfheal.idempotency.JdbcKeyStore;
import io.selfheal.idempotency.KeySchema;
import io.selfheal.jdbc.SqlDialect;
import io.selfheal.idempotency.StatementCounter;
import org.apache.camel.CamelContext;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Benchmark 4: throughput of Selfheal's JDBC idempotent repository on H2, PostgreSQL and MariaDB, against a plain
 * INSERT loop on the same database.
 * <p>
 * The repository is built as the product builds it: a CamelContext with Selfheal installed on
 * {@code selfheal.idempotency.*} properties, and {@link SelfhealIdempotency#repository(String)} (its HikariCP
 * {@link io.selfheal.jdbc.PooledDataSource}, {@link JdbcKeyStore} and {@link JdbcIdempotentRepository}).
 * Every operation is of a new key, on {@value #THREADS} threads:
 * <ul>
 *     <li><b>check</b>: what one message pays on the idempotent consumer's eager path: {@code add(key)} (the claim)
 *         and, when the exchange completes, {@code confirm(key)};</li>
 *     <li><b>claim alone</b>: {@code add(key)} only; shown for what it is, half of a check;</li>
 *     <li><b>plain INSERT</b>: one autocommitted INSERT of the same row (same table definition, same five values)
 *         into a table of its own, through the same pool, borrowing a connection per row.</li>
 * </ul>
 * Rounds alternate the order. After the timed runs, one serial pass per operation through {@link StatementCounter}
 * says what an operation costs in borrows, statements and commits, and which SQL it ran.
 */
public final class IdempotencyBenchmark {
    static final String COMMAND = "mvn -B -q -Pbench test-compile exec:exec@idempotency";
    static final int THREADS = 4;
    /** Once per database and operation before the rounds: the JIT, the pool and the tables settle. */
    static final long FIRST_WARM_UP_MS = Long.getLong("bench.firstWarmupMillis", 2_000L);
    static final long WARM_UP_MS = Long.getLong("bench.warmupMillis", 500L);
    static final long MEASURE_MS = Long.getLong("bench.measureMillis", 2_000L);
    /** Short runs, many rounds: on a shared machine the per-round ratios hold better than a few long runs'. */
    static final int ROUNDS = Integer.getInteger("bench.idempotencyRounds", 6);
    static final int PROFILED_OPERATIONS = 200;
    static final double GOAL = 0.8;
    static final String KEY_TABLE = "bench_idem_keys";
    static final String PLAIN_TABLE = "bench_idem_plain";
    static final String SCOPE = "bench";

    record Database(String name, String url, String user, String password) {
    }

    /** H2 with the product default's options ({@link IdempotencySettings#DEFAULT_URL}), in a file under target/bench. */
    static final List<Database> DATABASES = List.of(
            new Database("H2 (embedded file)", "jdbc:h2:file:./target/bench/h2/idempotency;WRITE_DELAY=0", "", ""),
            new Database("PostgreSQL", System.getProperty("bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"), "postgres", ""),
            new Database("MariaDB", System.getProperty("bench.mariadb.url", "jdbc:mariadb://127.0.0.1:3306/test"), "root", ""));

    /** The three operations, in the order of the first round (the next round reverses it, and so on). */
    enum Operation {
        PLAIN("plain INSERT"), CHECK("check (claim + confirm)"), CLAIM("claim alone");

        final String label;

        Operation(String label) {
            this.label = label;
        }
    }

    interface Op {
        boolean run(String key) throws Exception;
    }

    /** What one operation cost in the serial counting pass. */
    record Cost(double borrows, double statements, double commits, List<String> sql) {
        String triple() {
            return fmt(borrows) + " / " + fmt(statements) + " / " + fmt(commits);
        }

        private static String fmt(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : Table.num(v, 2);
        }
    }

    /**
     * @param rates  mean rate of each operation over the rounds
     * @param ratios per round, each operation's rate ÷ the plain INSERT's rate in the same round
     */
    record Result(Database db, Map<Operation, Double> rates, Map<Operation, List<Double>> ratios,
                  Map<Operation, Cost> costs) {
        double medianRatio(Operation op) {
            List<Double> r = ratios.get(op).stream().sorted().toList();
            int n = r.size();
            return n % 2 == 1 ? r.get(n / 2) : (r.get(n / 2 - 1) + r.get(n / 2)) / 2;
        }
    }

    private IdempotencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Machine machine = Machine.watch();
        List<Result> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Database db : DATABASES) {
            try {
                results.add(measure(db));
            } catch (Exception e) {
                notes.add(db.name() + " could not be measured: " + e
                        + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
                e.printStackTrace();
            }
        }
        BenchReport.publish("idempotency", report(results, notes), machine.describe(COMMAND));
    }

    /** The product's wiring: a context with Selfheal installed, its key store on {@code db}, a pool of THREADS. */
    static CamelContext selfhealContext(Database db) throws Exception {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(IdempotencySettings.URL, db.url());
        p.put(IdempotencySettings.USERNAME, db.user());
        p.put(IdempotencySettings.PASSWORD, db.password());
        p.put(IdempotencySettings.TABLE, KEY_TABLE);
        p.put(IdempotencySettings.POOL_SIZE, String.valueOf(THREADS));
        // parked messages (none in this benchmark) stay in memory, not under ./data
        p.put("selfheal.parked.url", "jdbc:h2:mem:bench-parked-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        CamelContext ctx = SelfhealContender.newContext(p);
        ctx.start();
        return ctx;
    }

    static Result measure(Database db) throws Exception {
        deleteH2Files(db);
        CamelContext ctx = selfhealContext(db);
        try {
            SelfhealIdempotency idempotency = SelfhealIdempotency.of(ctx);
            DataSource pool = idempotency.dataSource();
            JdbcKeyStore store = idempotency.store();
            dropTables(pool);
            try {
                SqlDialect dialect = store.ensureTable();
                createPlainTable(pool, dialect);
                JdbcIdempotentRepository repo = idempotency.repository(SCOPE);
                long claimTimeoutMs = idempotency.config().claimTimeout().toMillis();
                Map<Operation, Op> ops = operations(repo, pool, store.owner(), claimTimeoutMs);

                for (Operation op : Operation.values()) {
                    run(op, ops, pool, idempotency.config(), "w-", FIRST_WARM_UP_MS, 0);
                }
                Map<Operation, Double> sums = new LinkedHashMap<>();
                Map<Operation, List<Double>> ratios = new LinkedHashMap<>();
                for (int round = 0; round < ROUNDS; round++) {
                    List<Operation> order = new ArrayList<>(List.of(Operation.values()));
                    if (round % 2 == 1) {
                        java.util.Collections.reverse(order);
                    }
                    Map<Operation, Double> thisRound = new LinkedHashMap<>();
                    for (Operation op : order) {
                        double r = run(op, ops, pool, idempotency.config(), "r" + round + "-", WARM_UP_MS,
                                MEASURE_MS);
                        thisRound.put(op, r);
                        sums.merge(op, r, Double::sum);
                        System.out.printf("%s round %d: %s %.0f/s%n", db.name(), round + 1, op.label, r);
                    }
                    for (Operation op : Operation.values()) {
                        ratios.computeIfAbsent(op, o -> new ArrayList<>())
                                .add(thisRound.get(op) / thisRound.get(Operation.PLAIN));
                    }
                }
                Map<Operation, Double> rates = new LinkedHashMap<>();
                for (Operation op : Operation.values()) {
                    rates.put(op, sums.get(op) / ROUNDS);
                }
                Map<Operation, Cost> costs = profile(pool, idempotency.config());
                return new Result(db, rates, ratios, costs);
            } finally {
                store.close();
                dropTables(pool);
            }
        } finally {
            ctx.stop();
        }
    }

    /**
     * One timed run of {@code op}. Claims alone are never confirmed: on the product's store they would pile up and be
     * renewed by its thread during the runs that follow. So each claim-alone run has a key store of its own, built as
     * {@link SelfhealIdempotency} builds one (same pool, table, clock and claim-timeout), closed after the run (not
     * timed), which lets its claims expire as a stopping process does.
     */
    static double run(Operation op, Map<Operation, Op> ops, DataSource pool, IdempotencySettings config, String prefix,
                      long warmUpMillis, long measureMillis) throws Exception {
        String keyPrefix = prefix + op.name().toLowerCase(Locale.ROOT) + "-";
        if (op != Operation.CLAIM) {
            return rate(ops.get(op), keyPrefix, warmUpMillis, measureMillis);
        }
        JdbcKeyStore own = new JdbcKeyStore(pool, config.table(), Clock.systemUTC(), config.claimTimeout());
        try {
            own.ensureTable();
            JdbcIdempotentRepository repo = new JdbcIdempotentRepository(own, SCOPE);
            return rate(repo::add, keyPrefix, warmUpMillis, measureMillis);
        } finally {
            own.close();
        }
    }

    static Map<Operation, Op> operations(JdbcIdempotentRepository repo, DataSource pool, String owner,
                                         long claimTimeoutMs) {
        Map<Operation, Op> ops = new LinkedHashMap<>();
        ops.put(Operation.PLAIN, key -> plainInsert(pool, key, owner, claimTimeoutMs));
        // the idempotent consumer (eager): add before processing, confirm on completion
        ops.put(Operation.CHECK, key -> repo.add(key) && repo.confirm(key));
        ops.put(Operation.CLAIM, repo::add);
        return ops;
    }

    /**
     * One serial pass of {@value #PROFILED_OPERATIONS} operations each through a counting data source in front of the
     * same pool, with a key store and repository built as {@link SelfhealIdempotency} builds them.
     */
    static Map<Operation, Cost> profile(DataSource pool, IdempotencySettings config) throws Exception {
        StatementCounter counter = new StatementCounter(pool);
        JdbcKeyStore store = new JdbcKeyStore(counter.dataSource(), config.table(), Clock.systemUTC(),
                config.claimTimeout());
        try {
            store.ensureTable();
            JdbcIdempotentRepository repo = new JdbcIdempotentRepository(store, SCOPE + "-profile");
            Map<Operation, Op> ops = operations(repo, counter.dataSource(), store.owner(),
                    config.claimTimeout().toMillis());
            Map<Operation, Cost> costs = new LinkedHashMap<>();
            for (Operation op : Operation.values()) {
                counter.reset();
                for (int i = 0; i < PROFILED_OPERATIONS; i++) {
                    if (!ops.get(op).run("profile-" + op.name() + "-" + i)) {
                        throw new IllegalStateException(op.label + " of a new key did not add it");
                    }
                }
                double n = PROFILED_OPERATIONS;
                List<String> sql = counter.sql();
                costs.put(op, new Cost(counter.borrows() / n, counter.statements() / n,
                        counter.commits() / n, sql));
            }
            return costs;
        } finally {
            store.close();
        }
    }

    /** Operations per second of {@code op} on {@link #THREADS} threads, each with keys of its own. */
    static double rate(Op op, String keyPrefix, long warmUpMillis, long measureMillis) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong count = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(THREADS);
        for (int i = 0; i < THREADS; i++) {
            String prefix = keyPrefix + i + "-";
            Thread th = new Thread(() -> {
                long n = 0;
                try {
                    while (!stop.get()) {
                        if (!op.run(prefix + n++)) {
                            failures.incrementAndGet();
                        } else if (measuring.get()) {
                            count.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                    firstError.compareAndSet(null, e);
                } finally {
                    finished.countDown();
                }
            }, "idem-bench-" + i);
            th.start();
        }
        Thread.sleep(warmUpMillis);
        measuring.set(true);
        long start = System.nanoTime();
        Thread.sleep(measureMillis);
        measuring.set(false);
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        finished.await(60, TimeUnit.SECONDS);
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " operations on new keys did not add them",
                    firstError.get());
        }
        return measureMillis == 0 ? 0 : count.get() / (elapsed / 1e9);
    }

    /** The row a claim writes (scope, key, created at, owner, claim expiry), as one autocommitted INSERT. */
    static boolean plainInsert(DataSource ds, String key, String owner, long claimTimeoutMs) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + PLAIN_TABLE
                     + " (scope_name, message_key, created_at, claimed_by, claim_expires_ms) VALUES (?, ?, ?, ?, ?)")) {
            long now = System.currentTimeMillis();
            ps.setString(1, SCOPE);
            ps.setString(2, key);
            ps.setTimestamp(3, new Timestamp(now));
            ps.setString(4, owner);
            ps.setLong(5, now + claimTimeoutMs);
            return ps.executeUpdate() == 1;
        }
    }

    private static String ratios(Result r, Operation op) {
        return String.join(", ", r.ratios().get(op).stream().map(x -> Table.num(x, 2)).toList());
    }

    /** The key table's own definition (columns, types, primary key). */
    static void createPlainTable(DataSource ds, SqlDialect dialect) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(new KeySchema(PLAIN_TABLE).createTable(dialect));
        }
    }

    /**
     * A fresh H2 file per run: dropping the tables leaves their space in the file, which grows by gigabytes over a few
     * runs and would slow later runs down.
     */
    static void deleteH2Files(Database db) throws java.io.IOException {
        String prefix = "jdbc:h2:file:";
        if (!db.url().startsWith(prefix)) {
            return;
        }
        String base = db.url().substring(prefix.length()).split(";")[0];
        for (String suffix : List.of(".mv.db", ".trace.db")) {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(base + suffix));
        }
    }

    static void dropTables(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + PLAIN_TABLE);
            s.execute("DROP TABLE IF EXISTS " + KEY_TABLE);
        }
    }

    static String report(List<Result> results, List<String> notes) {
        Table t = new Table("database", "plain INSERT /s", "checks /s (claim + confirm)", "check × plain INSERT",
                "goal ≥ " + GOAL, "claim alone /s (half a check)", "claim × plain INSERT");
        Table costs = new Table("database", "plain INSERT", "check (claim + confirm)", "claim alone");
        StringBuilder misses = new StringBuilder();
        for (Result r : results) {
            double ratio = r.medianRatio(Operation.CHECK);
            t.row(r.db().name(), Table.num(r.rates().get(Operation.PLAIN), 0),
                    Table.num(r.rates().get(Operation.CHECK), 0), Table.num(ratio, 2),
                    ratio >= GOAL ? "met" : "**MISSED**", Table.num(r.rates().get(Operation.CLAIM), 0),
                    Table.num(r.medianRatio(Operation.CLAIM), 2));
            Cost pc = r.costs().get(Operation.PLAIN);
            Cost cc = r.costs().get(Operation.CHECK);
            costs.row(r.db().name(), pc.triple(), cc.triple(), r.costs().get(Operation.CLAIM).triple());
            if (ratio < GOAL) {
                misses.append("- ").append(r.db().name()).append(": ").append(Table.num(ratio, 2))
                        .append(" × (rounds: ").append(ratios(r, Operation.CHECK)).append("). A check is ")
                        .append(Cost.fmt(cc.statements())).append(" statements and ").append(Cost.fmt(cc.commits()))
                        .append(" commits (claim, then confirm), a plain row ").append(Cost.fmt(pc.statements()))
                        .append(" and ").append(Cost.fmt(pc.commits())).append("; the claim alone runs at ")
                        .append(Table.num(r.medianRatio(Operation.CLAIM), 2)).append(" × plain INSERT (rounds: ")
                        .append(ratios(r, Operation.CLAIM)).append(").\n");
            }
        }
        StringBuilder b = new StringBuilder();
        b.append(t).append('\n');
        b.append("Rates are the mean of the rounds; the ratios are the median of the per-round ratios (each round "
                + "runs the three back to back, so load from other work on the machine falls on all of them alike)."
                + "\n\n");
        if (!misses.isEmpty()) {
            b.append("**Goal: checks ≥ ").append(GOAL).append(" × plain INSERT: MISSED** on:\n\n").append(misses)
                    .append("\nThe second commit is the guarantee, not waste: the claim must be committed before the "
                            + "message is processed, so that a copy in another process sees it and waits instead of "
                            + "processing it too, and the confirm can only be committed after the message was "
                            + "processed. Each is already one autocommitted statement that finds its row by primary "
                            + "key, so on the same ").append(THREADS).append(" threads a check waits for two commits, "
                            + "one after the other, where a plain row waits for one, and does about twice the work: "
                            + "about half the plain rate (a little more where an UPDATE is cheaper than an INSERT). "
                            + "Getting past that would mean not waiting for the claim or the confirm to be durable "
                            + "(a crash could then lose a claim or a confirm, and a copy be processed twice), or "
                            + "holding a transaction and its pooled connection open from claim to confirm (a message "
                            + "waiting in backoff would hold one; the key store holds nothing between calls). 0.8 × "
                            + "is out of reach without giving up one of these.\n\n");
        } else {
            b.append("**Goal: checks ≥ ").append(GOAL).append(" × plain INSERT: met** on every database.\n\n");
        }
        b.append("What one operation costs, counted over ").append(PROFILED_OPERATIONS)
                .append(" serial operations per database (pool borrows / statements / commits; each statement is one "
                        + "round trip to PostgreSQL and MariaDB, H2 is embedded; a HikariCP borrow makes no round trip "
                        + "under load):\n\n").append(costs).append('\n');
        b.append("What a check runs, per database (`?` are bound parameters; `").append(KEY_TABLE)
                .append("` is the key table):\n\n");
        for (Result r : results) {
            b.append("- ").append(r.db().name()).append(": ");
            List<String> sql = r.costs().get(Operation.CHECK).sql();
            for (int i = 0; i < sql.size(); i++) {
                b.append(i == 0 ? "" : "; then ").append('`').append(sql.get(i)).append('`');
            }
            b.append("; the plain loop: `").append(r.costs().get(Operation.PLAIN).sql().get(0)).append("`.\n");
        }
        b.append('\n');
        b.append("Repository measured: Selfheal's `").append(JdbcIdempotentRepository.class.getName())
                .append("`, built as the product builds it: a CamelContext with `Selfheal.install` on "
                        + "`selfheal.idempotency.url`/`username`/`table` and `pool-size=").append(THREADS)
                .append("`, then `SelfhealIdempotency.repository(\"").append(SCOPE).append("\")` (its HikariCP pool, "
                        + "`JdbcKeyStore`, default claim-timeout ")
                .append(IdempotencySettings.DEFAULT_CLAIM_TIMEOUT.toSeconds()).append(" s, whose renewing thread runs "
                        + "during the runs). ")
                .append(THREADS).append(" threads; every operation is of a new key. A **check** is what one message "
                        + "pays on the idempotent consumer's eager path: `add(key)`, which claims the key (one "
                        + "insert-if-absent: a new key is inserted with this process as its owner and a claim expiry), "
                        + "and `confirm(key)` when the exchange completes (one UPDATE that clears the claim), each "
                        + "autocommitted on a connection of its own from the pool. **Claim alone** is `add(key)` only, "
                        + "shown to separate the two halves; it is not a complete check (an unconfirmed claim makes "
                        + "later copies wait until it expires). Each claim-alone run uses a key store of its own, built "
                        + "the same way on the same pool and table, and closed after the run (not timed), so that its "
                        + "never-confirmed claims expire instead of being renewed during later runs. The **plain INSERT** loop writes the same "
                        + "row (same five values) into a table created by the same DDL as the key table (primary key on "
                        + "scope and key, no other index), one "
                        + "autocommitted statement per row, borrowing a connection per row from the same pool. ")
                .append("Per database: each operation runs ").append(FIRST_WARM_UP_MS / 1000.0)
                .append(" s untimed first, then ").append(ROUNDS).append(" rounds, the order of the three reversed "
                        + "every round, each run ").append(WARM_UP_MS / 1000.0).append(" s warm-up + ")
                .append(MEASURE_MS / 1000.0).append(" s measured. Both tables are dropped before and after. "
                        + "Databases: H2 ").append(org.h2.engine.Constants.VERSION).append(" file under target/bench "
                        + "(deleted before the run) with the product default's `WRITE_DELAY=0`, PostgreSQL and MariaDB on 127.0.0.1 (database "
                        + "`test`) with their default durability (a commit waits for the log flush).\n");
        for (String n : notes) {
            b.append("\n").append(n).append('\n');
        }
        return b.toString();
    }
}
