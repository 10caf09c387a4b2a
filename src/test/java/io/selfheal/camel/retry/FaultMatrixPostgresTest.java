package io.selfheal.camel.retry;

import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.testing.CountingDataSource;
import io.selfheal.testing.DeadlockingTransfer;
import io.selfheal.testing.MatrixReport;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import io.selfheal.classify.Classification;
import io.selfheal.escalation.GiveUp;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fault matrix, PostgreSQL rows: each failure is provoked for real on the server at 127.0.0.1:5432 through a route
 * that inherits {@code self-healing}, and each row asserts the class, the executions the database saw (connections
 * taken, one per execution) and the outcome. Transient rows heal on their retry, once the conflicting transaction is
 * done; permanent rows run exactly once.
 */
class FaultMatrixPostgresTest {
    private static final String ROUTE_APP = "selfheal-matrix-route";
    private static final String SERIALIZABLE_APP = "selfheal-matrix-serializable";
    private static final String TRANSFER_APP = "selfheal-matrix-transfer";

    @RegisterExtension
    static final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private static CamelContext ctx;
    private static PGSimpleDataSource admin;
    /** camel-jdbc's data source: one connection per execution. */
    private static CountingDataSource plain;
    /** Sessions whose transactions are SERIALIZABLE by default. */
    private static CountingDataSource serializable;
    /** The transfer processor's data source; a short deadlock_timeout so a deadlock is found in a tenth of a second. */
    private static CountingDataSource transfers;
    private static DeadlockingTransfer transferStep;

    @BeforeAll
    static void start() throws Exception {
        admin = dataSource("selfheal-matrix-test", null);
        plain = new CountingDataSource(dataSource(ROUTE_APP, null));
        serializable = new CountingDataSource(dataSource(SERIALIZABLE_APP, "-c default_transaction_isolation=serializable"));
        transfers = new CountingDataSource(dataSource(TRANSFER_APP, "-c deadlock_timeout=100ms"));
        transferStep = new DeadlockingTransfer(transfers.dataSource, "matrix_pg_accounts");
        ctx = contexts.create(TestContexts.SCALED);
        ctx.getRegistry().bind("matrixPg", plain.dataSource);
        ctx.getRegistry().bind("matrixPgSerializable", serializable.dataSource);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:sql").routeId("pg-sql").routeConfigurationId("self-healing").to("jdbc:matrixPg");
                from("direct:serializable").routeId("pg-serializable").routeConfigurationId("self-healing")
                        .to("jdbc:matrixPgSerializable");
                from("direct:transfer").routeId("pg-transfer").routeConfigurationId("self-healing")
                        .setProperty(SelfhealProperties.UPSTREAM, constant("matrixPgTransfers"))
                        .process(transferStep);
            }
        });
        ctx.start();
    }

    @BeforeEach
    void resetCounters() {
        plain.connections.set(0);
        serializable.connections.set(0);
        transfers.connections.set(0);
    }

    @AfterEach
    void dropTables() throws SQLException {
        admin("DROP TABLE IF EXISTS matrix_pg_accounts, matrix_pg_serial, matrix_pg_nap, matrix_pg_unique, matrix_pg_typed");
    }

    /**
     * Two transfers lock the same two rows in opposite orders: PostgreSQL aborts one with 40P01. The victim is retried
     * and its second attempt succeeds once the other transaction has committed; both transfers end applied exactly once
     * (they move different amounts, so a lost or doubled transfer shows in the balances).
     */
    @Test
    void deadlockVictimIsRetriedAndSucceeds() throws Exception {
        admin("CREATE TABLE matrix_pg_accounts (id INT PRIMARY KEY, balance INT NOT NULL)",
                "INSERT INTO matrix_pg_accounts VALUES (1, 100), (2, 100)");
        transferStep.expectPair();
        CompletableFuture<Exchange> a = transfer(1, 2, 10);
        CompletableFuture<Exchange> b = transfer(2, 1, 30);
        List<Exchange> both = List.of(a.get(20, TimeUnit.SECONDS), b.get(20, TimeUnit.SECONDS));

        List<Exchange> victims = new ArrayList<>();
        for (Exchange out : both) {
            assertThat(out.getException()).isNull();
            assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
            if (out.getProperty(SelfhealProperties.FAILURE_CLASS) != null) {
                victims.add(out);
            }
        }
        assertThat(victims).as("exactly one transaction is the deadlock victim").hasSize(1);
        Exchange victim = victims.get(0);
        assertThat(victim.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("TRANSIENT");
        assertThat(victim.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        assertThat(outcome(victim)).isEqualTo("SQLSTATE 40P01");
        assertThat(transfers.connections).as("executions: two first attempts and the victim's retry").hasValue(3);
        // each transfer applied exactly once: the victim's first attempt was rolled back, its retry committed
        assertThat(balances()).containsExactly(100 - 10 + 30, 100 + 10 - 30);
        MatrixReport.row("PostgreSQL deadlock (40P01), the victim; executions of both transactions", victim, transfers.connections.get());
    }

    /**
     * Two SERIALIZABLE transactions update the same row: the route's waits for the test's, which then commits, so the
     * route's cannot be serialized (40001). Its retry runs in a new snapshot and succeeds.
     */
    @Test
    void serializationFailureIsRetriedAndSucceeds() throws Exception {
        admin("CREATE TABLE matrix_pg_serial (id INT PRIMARY KEY, v INT NOT NULL)", "INSERT INTO matrix_pg_serial VALUES (1, 0)");
        CompletableFuture<Exchange> pending;
        try (Connection other = admin.getConnection()) {
            other.setAutoCommit(false);
            other.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            try (Statement s = other.createStatement()) {
                s.executeUpdate("UPDATE matrix_pg_serial SET v = v + 10 WHERE id = 1");
            }
            pending = ctx.createProducerTemplate().asyncSend("direct:serializable",
                    e -> e.getIn().setBody("UPDATE matrix_pg_serial SET v = v + 1 WHERE id = 1"));
            awaitBackend(SERIALIZABLE_APP, "wait_event_type = 'Lock'");
            other.commit();
        }
        Exchange out = pending.get(20, TimeUnit.SECONDS);
        assertDelivered(out, 2);
        assertThat(outcome(out)).isEqualTo("SQLSTATE 40001");
        assertThat(serializable.connections).hasValue(2);
        assertThat(adminInt("SELECT v FROM matrix_pg_serial WHERE id = 1")).isEqualTo(11);
        MatrixReport.row("PostgreSQL serialization failure (40001)", out, serializable.connections.get());
    }

    /**
     * The route's query sleeps while the row says so; the test disarms it and terminates the backend mid-query, as
     * an administrator or a failover would. The retry opens a new connection and completes.
     */
    @Test
    void terminatedBackendIsRetriedOnANewConnection() throws Exception {
        admin("CREATE TABLE matrix_pg_nap (armed BOOLEAN NOT NULL)", "INSERT INTO matrix_pg_nap VALUES (true)");
        CompletableFuture<Exchange> pending = ctx.createProducerTemplate().asyncSend("direct:sql", e -> e.getIn().setBody(
                "SELECT pg_sleep(CASE WHEN (SELECT armed FROM matrix_pg_nap) THEN 5 ELSE 0 END) AS slept"));
        int pid = awaitBackend(ROUTE_APP, "wait_event = 'PgSleep'");
        admin("UPDATE matrix_pg_nap SET armed = false");
        assertThat(adminBoolean("SELECT pg_terminate_backend(" + pid + ")")).isTrue();
        Exchange out = pending.get(20, TimeUnit.SECONDS);
        assertDelivered(out, 2);
        assertThat(outcome(out)).isEqualTo("SQLSTATE 57P01");
        assertThat(plain.connections).hasValue(2);
        MatrixReport.row("PostgreSQL backend terminated (57P01)", out, plain.connections.get());
    }

    @Test
    void uniqueViolationIsPermanentAndRunsOnce() throws Exception {
        admin("CREATE TABLE matrix_pg_unique (id INT PRIMARY KEY)", "INSERT INTO matrix_pg_unique VALUES (1)");
        Exchange out = sql("INSERT INTO matrix_pg_unique VALUES (1)");
        assertPermanent(out, "SQLSTATE 23505");
        MatrixReport.row("PostgreSQL unique violation (23505)", out, plain.connections.get());
    }

    @Test
    void invalidTextRepresentationIsPermanentAndRunsOnce() throws Exception {
        admin("CREATE TABLE matrix_pg_typed (n INT)");
        Exchange out = sql("INSERT INTO matrix_pg_typed (n) VALUES ('forty-two')");
        assertPermanent(out, "SQLSTATE 22P02");
        assertThat(adminInt("SELECT count(*) FROM matrix_pg_typed")).isZero();
        MatrixReport.row("PostgreSQL invalid text representation (22P02)", out, plain.connections.get());
    }

    @Test
    void undefinedTableIsPermanentAndRunsOnce() {
        Exchange out = sql("SELECT * FROM matrix_pg_no_such_table");
        assertPermanent(out, "SQLSTATE 42P01");
        MatrixReport.row("PostgreSQL undefined table (42P01)", out, plain.connections.get());
    }

    private static CompletableFuture<Exchange> transfer(int from, int to, int amount) {
        return ctx.createProducerTemplate().asyncSend("direct:transfer", e -> {
            e.getIn().setHeader("from", from);
            e.getIn().setHeader("to", to);
            e.getIn().setHeader("amount", amount);
        });
    }

    private static List<Integer> balances() throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Connection c = admin.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT balance FROM matrix_pg_accounts ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static PGSimpleDataSource dataSource(String applicationName, String options) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {5432});
        ds.setDatabaseName("test");
        ds.setUser("postgres");
        ds.setApplicationName(applicationName);
        ds.setConnectTimeout(5);
        if (options != null) {
            ds.setOptions(options);
        }
        return ds;
    }

    private static Exchange sql(String sql) {
        return ctx.createProducerTemplate().request("direct:sql", e -> e.getIn().setBody(sql));
    }

    /** Waits until a backend of the given application is in the given state; returns its pid. */
    private static int awaitBackend(String applicationName, String condition) {
        AtomicInteger pid = new AtomicInteger();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            try (Connection c = admin.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = ? AND " + condition)) {
                ps.setString(1, applicationName);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        pid.set(rs.getInt(1));
                        return true;
                    }
                    return false;
                }
            }
        });
        return pid.get();
    }

    private static void admin(String... statements) throws SQLException {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static int adminInt(String query) throws SQLException {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean adminBoolean(String query) throws SQLException {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static String outcome(Exchange out) {
        return Optional.ofNullable(ExchangeState.classification(out))
                .map(Classification::outcome).orElse(null);
    }

    private static void assertDelivered(Exchange out, int attempts) {
        assertThat(out.getException()).isNull();
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("TRANSIENT");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(attempts);
    }

    private void assertPermanent(Exchange out, String outcome) {
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(1);
        assertThat(plain.connections).as("executions").hasValue(1);
        GiveUp g = out.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class);
        assertThat(g.outcomes()).containsExactly(outcome);
        assertThat(g.upstream()).isEqualTo("matrixPg");
    }
}
