package io.selfheal.camel.retry;

import io.selfheal.camel.AttemptListener;
import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.testing.CountingDataSource;
import io.selfheal.testing.DeadlockingTransfer;
import io.selfheal.testing.MatrixReport;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import io.selfheal.classify.Classification;
import io.selfheal.escalation.GiveUp;
import io.selfheal.retry.AttemptHistory;
import io.selfheal.retry.RetryDecision;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault matrix, MariaDB rows: each failure is provoked for real on the server at 127.0.0.1:3306 through a route
 * that inherits {@code self-healing}; each row asserts the class, the executions the database saw (connections taken,
 * one per execution) and the outcome.
 */
class FaultMatrixMariaDbTest {
    private static final String URL = "jdbc:mariadb://127.0.0.1:3306/test?user=root&password=&connectTimeout=5000";

    @RegisterExtension
    static final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private static CamelContext ctx;
    private static MariaDbDataSource admin;
    private static CountingDataSource plain;
    /** Sessions that wait one second for a row lock, not InnoDB's default fifty. */
    private static CountingDataSource impatient;
    private static CountingDataSource transfers;
    private static DeadlockingTransfer transferStep;
    /** The transaction holding the row the impatient route wants; committed once the route has timed out once. */
    private static volatile Connection lockHolder;

    @BeforeAll
    static void start() throws Exception {
        admin = new MariaDbDataSource(URL);
        plain = new CountingDataSource(new MariaDbDataSource(URL));
        impatient = new CountingDataSource(new MariaDbDataSource(URL + "&sessionVariables=innodb_lock_wait_timeout=1"));
        transfers = new CountingDataSource(new MariaDbDataSource(URL));
        transferStep = new DeadlockingTransfer(transfers.dataSource, "matrix_mdb_accounts");
        ctx = contexts.create(TestContexts.SCALED);
        ctx.getRegistry().bind("matrixMariaDb", plain.dataSource);
        ctx.getRegistry().bind("matrixMariaDbImpatient", impatient.dataSource);
        SelfhealRuntime.of(ctx).addListener(new AttemptListener() {
            @Override
            public RetryDecision onFailedAttempt(Exchange exchange, String upstream, Classification c, AttemptHistory h,
                                                 RetryDecision proposed) {
                // the other transaction finishes as soon as the route has seen its lock wait time out: the retry,
                // scheduled after this returns, then finds the row free
                Connection holder = lockHolder;
                if (holder != null && "mdb-impatient".equals(exchange.getFromRouteId())) {
                    try {
                        holder.commit();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return proposed;
            }
        });
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:sql").routeId("mdb-sql").routeConfigurationId("self-healing").to("jdbc:matrixMariaDb");
                from("direct:impatient").routeId("mdb-impatient").routeConfigurationId("self-healing")
                        .to("jdbc:matrixMariaDbImpatient");
                from("direct:transfer").routeId("mdb-transfer").routeConfigurationId("self-healing")
                        .setProperty(SelfhealProperties.UPSTREAM, constant("matrixMariaDbTransfers"))
                        .process(transferStep);
            }
        });
        ctx.start();
    }

    @BeforeEach
    void resetCounters() {
        plain.connections.set(0);
        impatient.connections.set(0);
        transfers.connections.set(0);
    }

    @AfterEach
    void dropTables() throws SQLException {
        if (lockHolder != null) {
            lockHolder.close();
            lockHolder = null;
        }
        admin("DROP TABLE IF EXISTS matrix_mdb_accounts, matrix_mdb_locked, matrix_mdb_unique");
    }

    /** Two transfers lock two rows in opposite orders; InnoDB aborts one (1213); its retry succeeds. */
    @Test
    void deadlockVictimIsRetriedAndSucceeds() throws Exception {
        admin("CREATE TABLE matrix_mdb_accounts (id INT PRIMARY KEY, balance INT NOT NULL) ENGINE=InnoDB",
                "INSERT INTO matrix_mdb_accounts VALUES (1, 100), (2, 100)");
        transferStep.expectPair();
        CompletableFuture<Exchange> a = transfer(1, 2, 10);
        CompletableFuture<Exchange> b = transfer(2, 1, 30);
        List<Exchange> victims = new ArrayList<>();
        for (Exchange out : List.of(a.get(20, TimeUnit.SECONDS), b.get(20, TimeUnit.SECONDS))) {
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
        assertThat(vendorCode(victim)).isEqualTo(1213);
        assertThat(transfers.connections).as("executions: two first attempts and the victim's retry").hasValue(3);
        assertThat(balances()).containsExactly(100 - 10 + 30, 100 + 10 - 30);
        MatrixReport.row("MariaDB deadlock (1213), the victim; executions of both transactions", victim,
                transfers.connections.get());
    }

    /**
     * Another transaction holds the row; the route's session waits one second and fails with 1205. The holder commits
     * once the route has seen that, and the retry succeeds.
     */
    @Test
    void lockWaitTimeoutIsRetriedAndSucceeds() throws Exception {
        admin("CREATE TABLE matrix_mdb_locked (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB",
                "INSERT INTO matrix_mdb_locked VALUES (1, 0)");
        Connection holder = admin.getConnection();
        holder.setAutoCommit(false);
        try (Statement s = holder.createStatement()) {
            s.executeUpdate("UPDATE matrix_mdb_locked SET v = v + 10 WHERE id = 1");
        }
        lockHolder = holder;
        Exchange out = ctx.createProducerTemplate().request("direct:impatient",
                e -> e.getIn().setBody("UPDATE matrix_mdb_locked SET v = v + 1 WHERE id = 1"));
        assertThat(out.getException()).isNull();
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("TRANSIENT");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        assertThat(vendorCode(out)).isEqualTo(1205);
        assertThat(impatient.connections).hasValue(2);
        assertThat(adminInt("SELECT v FROM matrix_mdb_locked WHERE id = 1")).isEqualTo(11);
        MatrixReport.row("MariaDB lock wait timeout (1205)", out, impatient.connections.get());
    }

    @Test
    void duplicateKeyIsPermanentAndRunsOnce() throws Exception {
        admin("CREATE TABLE matrix_mdb_unique (id INT PRIMARY KEY) ENGINE=InnoDB", "INSERT INTO matrix_mdb_unique VALUES (1)");
        Exchange out = ctx.createProducerTemplate().request("direct:sql",
                e -> e.getIn().setBody("INSERT INTO matrix_mdb_unique VALUES (1)"));
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(1);
        assertThat(vendorCode(out)).isEqualTo(1062);
        assertThat(plain.connections).as("executions").hasValue(1);
        GiveUp g = out.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class);
        assertThat(g.upstream()).isEqualTo("matrixMariaDb");
        MatrixReport.row("MariaDB duplicate key (1062)", out, plain.connections.get());
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static CompletableFuture<Exchange> transfer(int from, int to, int amount) {
        return ctx.createProducerTemplate().asyncSend("direct:transfer", e -> {
            e.getIn().setHeader("from", from);
            e.getIn().setHeader("to", to);
            e.getIn().setHeader("amount", amount);
        });
    }

    /** The vendor error code of the SQLException that decided the class. */
    private static int vendorCode(Exchange out) {
        Classification c = ExchangeState.classification(out);
        assertThat(c.decidingCause()).isInstanceOf(SQLException.class);
        return ((SQLException) c.decidingCause()).getErrorCode();
    }

    private static List<Integer> balances() throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Connection c = admin.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT balance FROM matrix_mdb_accounts ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
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
}
