package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.escalation.EscalationServices;
import io.selfheal.camel.escalation.Escalator;
import io.selfheal.camel.escalation.ReplayOptions;
import io.selfheal.camel.escalation.ReplayResult;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.idempotency.IdempotentInsert;
import io.selfheal.idempotency.TestDatabases;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;
import io.selfheal.testing.YamlRoutes;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.UUID;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The idempotent-jdbc-sink Kamelet with a JSON body and {@code createTable}, from YAML and Java, on H2, PostgreSQL and
 * MariaDB: the table is made from the first row, a row lands once however often it is written, retried or replayed,
 * and a row that does not fit is parked, not dropped.
 */
class IdempotentJdbcSinkKameletTest {
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private TestDatabases db;
    private String table;

    @AfterEach
    void drop() {
        if (db != null && table != null) {
            db.dropQuietly(table);
        }
    }

    private CamelContext yamlSink(TestDatabases database, DataSource ds, String... props) throws Exception {
        db = database;
        table = TestDatabases.uniqueTable("kam");
        CamelContext ctx = contexts.create(TestContexts.scaled(props));
        ctx.getRegistry().bind("ordersDb", ds);
        YamlRoutes.load(ctx, """
                - route:
                    id: orders
                    from:
                      uri: direct:orders
                      steps:
                        - to: "kamelet:idempotent-jdbc-sink/orders-sink?table=%s&keyColumns=order_id&dataSource=ordersDb&createTable=true"
                """.formatted(table));
        ctx.start();
        return ctx;
    }

    private static Exchange send(CamelContext ctx, Object body) {
        return ctx.createProducerTemplate().request("direct:orders", e -> e.getIn().setBody(body));
    }

    private static final String ADA = "{\"order_id\":\"o-1\",\"customer\":\"ada\",\"amount\":10.50,\"qty\":3,"
            + "\"paid\":true,\"tags\":[\"gift\",\"eu\"],\"note\":null}";

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aJsonBodyCreatesTheTableAndLandsAsOneRow(TestDatabases database) throws Exception {
        CamelContext ctx = yamlSink(database, database.dataSource());

        Exchange first = send(ctx, ADA);
        Exchange again = send(ctx, ADA.getBytes(StandardCharsets.UTF_8));
        Exchange other = send(ctx, "{\"order_id\":\"o-2\",\"customer\":\"bob\",\"amount\":3,\"qty\":1,\"paid\":false}");

        for (Exchange e : new Exchange[] {first, again, other}) {
            assertThat(e.getException()).isNull();
            assertThat(e.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        }
        assertThat(first.getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isFalse();
        assertThat(again.getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isTrue();
        assertThat(other.getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isFalse();
        assertThat(db.count("SELECT COUNT(*) FROM " + table)).isEqualTo(2);
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT customer, amount, qty, paid, tags, note FROM " + table
                     + " WHERE order_id = 'o-1'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("ada");
            assertThat(rs.getBigDecimal(2)).isEqualByComparingTo(new BigDecimal("10.50"));
            assertThat(rs.getLong(3)).isEqualTo(3);
            assertThat(rs.getBoolean(4)).isTrue();
            assertThat(rs.getString(5)).isEqualTo("[\"gift\",\"eu\"]");
            assertThat(rs.getString(6)).isNull();
        }
        IdempotentInsert sink = SelfhealIdempotency.of(ctx).sink("orders-sink");
        assertThat(sink.inserted()).isEqualTo(2);
        assertThat(sink.duplicates()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aRowThatDoesNotFitTheTableIsParkedNotDropped(TestDatabases database) throws Exception {
        CamelContext ctx = yamlSink(database, database.dataSource());
        send(ctx, ADA);

        Exchange textForNumber = send(ctx, "{\"order_id\":\"o-3\",\"customer\":\"eve\",\"qty\":\"many\"}");
        Exchange unknownColumn = send(ctx, "{\"order_id\":\"o-4\",\"customer\":\"eve\",\"colour\":\"red\"}");
        Exchange notJson = send(ctx, "order o-5, please");

        for (Exchange e : new Exchange[] {textForNumber, unknownColumn, notJson}) {
            assertThat(e.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("PERMANENT");
            assertThat(e.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(1);
            long parked = e.getProperty(Escalator.PARKED_ID, Long.class);
            ParkedMessage m = EscalationServices.of(ctx).store().find(parked).orElseThrow();
            // parked as its unit of work began: in the sink's route, where a replay sends it again
            assertThat(m.routeId()).isEqualTo("orders-sink");
        }
        assertThat(EscalationServices.of(ctx).store().find(notJson.getProperty(Escalator.PARKED_ID, Long.class))
                .orElseThrow().body()).isEqualTo("order o-5, please".getBytes(StandardCharsets.UTF_8));
        assertThat(db.count("SELECT COUNT(*) FROM " + table)).isEqualTo(1);
    }

    @Test
    void aRowWrittenButNotAcknowledgedIsRetriedAndLandsOnce() throws Exception {
        AtomicInteger lostAcks = new AtomicInteger(1);
        CamelContext ctx = yamlSink(TestDatabases.H2, flaky(TestDatabases.H2.dataSource(), lostAcks, new AtomicBoolean()));

        Exchange out = send(ctx, ADA);

        // the first INSERT committed, then its connection was lost: the retry finds the row and writes nothing
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        assertThat(out.getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isTrue();
        assertThat(db.count("SELECT COUNT(*) FROM " + table)).isEqualTo(1);
    }

    @Test
    void aParkedRowIsReplayedOnceTheDatabaseIsBackAndLandsOnce() throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        CamelContext ctx = yamlSink(TestDatabases.H2, flaky(TestDatabases.H2.dataSource(), new AtomicInteger(), down),
                "selfheal.defaults.max-attempts", "2");
        send(ctx, "{\"order_id\":\"o-0\",\"qty\":1}"); // creates the table while the database is up
        down.set(true);

        Exchange parked = send(ctx, ADA);
        assertThat(parked.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        long id = parked.getProperty(Escalator.PARKED_ID, Long.class);

        down.set(false);
        ReplayResult replayed = EscalationServices.of(ctx).replay().replay(id, ReplayOptions.defaults())
                .get(30, TimeUnit.SECONDS);
        assertThat(replayed.outcome()).isEqualTo(ReplayResult.Outcome.REPLAYED);
        // the job re-runs its input: the same record again
        Exchange rerun = send(ctx, ADA);

        assertThat(rerun.getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isTrue();
        assertThat(db.count("SELECT COUNT(*) FROM " + table + " WHERE order_id = 'o-1'")).isEqualTo(1);
    }

    @Test
    void aJavaRouteWritesJsonAndMapBodiesThroughTheKameletEip() throws Exception {
        db = TestDatabases.H2;
        table = TestDatabases.uniqueTable("kamjava");
        CamelContext ctx = contexts.start(TestContexts.SCALED, new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:events").routeConfigurationId("self-healing")
                        .kamelet("idempotent-jdbc-sink/events?table=" + table + "&keyColumns=event_id&createTable=true");
                from("direct:events-to")
                        .to("kamelet:idempotent-jdbc-sink/events-to?table=" + table + "&keyColumns=event_id");
            }
        });
        var producer = ctx.createProducerTemplate();
        producer.sendBody("direct:events", "{\"event_id\":\"e-1\",\"what\":\"created\"}");
        Map<String, Object> asMap = new LinkedHashMap<>();
        asMap.put("event_id", "e-1");
        asMap.put("what", "created");
        Exchange again = producer.request("direct:events", e -> e.getIn().setBody(asMap));
        producer.sendBody("direct:events", "{\"event_id\":\"e-2\",\"what\":\"paid\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(again.getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isTrue();
        Exchange viaTo = producer.request("direct:events-to", e -> e.getIn().setBody("{\"event_id\":\"e-2\"}"));
        assertThat(viaTo.getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isTrue();
        assertThat(SelfhealIdempotency.of(ctx).sink("events").inserted()).isEqualTo(2);
        assertThat(SelfhealIdempotency.of(ctx).sink("events-to").duplicates()).isEqualTo(1);
        // no dataSource parameter: Selfheal's idempotency database (selfheal.idempotency.url)
        try (Connection c = SelfhealIdempotency.of(ctx).dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
        table = null; // in the context's own database, gone with it
    }

    @Test
    void theGuidesExampleWorksAsItStands() throws Exception {
        String guide = Files.readString(Path.of("docs/guides/idempotency.md"));
        String marker = "<!-- test:idempotent-jdbc-sink-example -->\n```yaml\n";
        int start = guide.indexOf(marker);
        assertThat(start).as("the example's marker").isNotNegative();
        String example = guide.substring(start + marker.length(), guide.indexOf("```", start + marker.length()));
        // only where it lives moves: ./data and ./inbox under target/
        Path dir = Path.of("target", "sink-example-" + UUID.randomUUID());
        String url = "jdbc:h2:file:./" + dir + "/orders";
        String yaml = example.replace("jdbc:h2:file:./data/orders", url)
                .replace("file:inbox/orders", "file:" + dir + "/inbox");
        assertThat(yaml).isNotEqualTo(example);
        CamelContext ctx = contexts.create(TestContexts.SCALED);
        YamlRoutes.load(ctx, yaml);
        ctx.start();

        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        String json = "{\"order_id\": \"o-1\", \"customer\": \"ada\", \"amount\": 10.50}";
        Files.writeString(dir.resolve("o-1.json"), json);
        Files.move(dir.resolve("o-1.json"), inbox.resolve("o-1.json"));
        await().atMost(20, TimeUnit.SECONDS).until(() -> rows(url, "SELECT COUNT(*) FROM orders") == 1);
        // the same order again, in another file: still one row
        Files.writeString(dir.resolve("o-1-again.json"), json);
        Files.move(dir.resolve("o-1-again.json"), inbox.resolve("o-1-again.json"));
        await().atMost(20, TimeUnit.SECONDS).until(() -> !Files.exists(inbox.resolve("o-1-again.json")));
        await().atMost(20, TimeUnit.SECONDS).until(() -> ctx.getInflightRepository().size() == 0);
        assertThat(rows(url, "SELECT COUNT(*) FROM orders")).isEqualTo(1);
        assertThat(rows(url, "SELECT COUNT(*) FROM orders WHERE customer = 'ada' AND amount = 10.5")).isEqualTo(1);
        assertThat(EscalationServices.of(ctx).store().list(null, null, 10)).isEmpty();
    }

    private static long rows(String url, String sql) {
        try (Connection c = java.sql.DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return -1; // not created yet
        }
    }

    /**
     * A data source whose first {@code lostAcks} writes commit and then lose their connection, and which refuses
     * every connection while {@code down}.
     */
    private static DataSource flaky(DataSource target, AtomicInteger lostAcks, AtomicBoolean down) {
        return (DataSource) Proxy.newProxyInstance(IdempotentJdbcSinkKameletTest.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        if (down.get()) {
                            throw new SQLNonTransientConnectionException("connection refused", "08001");
                        }
                        Connection c = (Connection) invoke(method, target, args);
                        return connection(c, lostAcks);
                    }
                    return invoke(method, target, args);
                });
    }

    private static Connection connection(Connection c, AtomicInteger lostAcks) {
        return (Connection) Proxy.newProxyInstance(IdempotentJdbcSinkKameletTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    Object result = invoke(method, c, args);
                    if (method.getName().equals("prepareStatement") && result instanceof PreparedStatement ps) {
                        return Proxy.newProxyInstance(IdempotentJdbcSinkKameletTest.class.getClassLoader(),
                                new Class<?>[] {PreparedStatement.class}, (p, m, a) -> {
                                    Object r = invoke(m, ps, a);
                                    if (m.getName().equals("executeUpdate") && lostAcks.getAndDecrement() > 0) {
                                        throw new SQLTransientConnectionException("connection reset", "08006");
                                    }
                                    return r;
                                });
                    }
                    return result;
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
