package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;
import io.selfheal.testing.YamlRoutes;


import io.selfheal.idempotency.IdempotentInsert;
import io.selfheal.idempotency.TestDatabases;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The idempotent-jdbc-sink Kamelet, used from YAML routes, on H2, PostgreSQL and MariaDB. */
class IdempotentJdbcSinkTest {
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;
    private TestDatabases db;
    private String table;

    @AfterEach
    void stop() throws Exception {
        if (db != null && table != null) {
            db.dropQuietly(table);
        }
    }

    private void start(TestDatabases database, String tableDdl, String keyColumns, String extraParameters)
            throws Exception {
        db = database;
        table = TestDatabases.uniqueTable("sink");
        db.exec(tableDdl.replace("$T", table));
        ctx = contexts.create(TestContexts.scaled("selfheal.defaults.max-attempts", "3"));
        ctx.getRegistry().bind("ordersDb", db.dataSource());
        YamlRoutes.load(ctx, """
                - route:
                    from:
                      uri: direct:orders-sink
                      steps:
                        - kamelet:
                            name: idempotent-jdbc-sink/orders-sink
                            parameters:
                              dataSource: ordersDb
                              table: %s
                              keyColumns: "%s"
                %s
                """.formatted(table, keyColumns, extraParameters));
        ctx.start();
    }

    private Exchange write(Map<String, Object> row) {
        return ctx.createProducerTemplate().request("direct:orders-sink", e -> e.getIn().setBody(row));
    }

    private static Map<String, Object> order(int id, String customer, String amount) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("order_id", id);
        row.put("customer", customer);
        row.put("amount", new BigDecimal(amount));
        return row;
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aDuplicateWriteLeavesOneRowAndIsCounted(TestDatabases database) throws Exception {
        start(database, "CREATE TABLE $T (order_id INT PRIMARY KEY, customer VARCHAR(50) NOT NULL, amount DECIMAL(10,2))",
                "order_id", "");

        Exchange first = write(order(1, "ada", "10.50"));
        Exchange second = write(order(1, "ada", "10.50"));
        Exchange other = write(order(2, "bob", "3.00"));

        for (Exchange e : new Exchange[] {first, second, other}) {
            assertThat(e.getException()).isNull();
            assertThat(e.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        }
        assertThat(first.getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isFalse();
        assertThat(second.getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isTrue();
        assertThat(other.getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isFalse();
        assertThat(db.count("SELECT COUNT(*) FROM " + table)).isEqualTo(2);
        assertThat(db.count("SELECT COUNT(*) FROM " + table + " WHERE order_id = 1")).isEqualTo(1);

        IdempotentInsert sink = SelfhealIdempotency.of(ctx).sink("orders-sink");
        assertThat(sink.inserted()).isEqualTo(2);
        assertThat(sink.duplicates()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void theFirstWriteWinsAndACompositeKeyIsHonoured(TestDatabases database) throws Exception {
        start(database, "CREATE TABLE $T (region VARCHAR(10) NOT NULL, order_id INT NOT NULL, customer VARCHAR(50), "
                + "amount DECIMAL(10,2), PRIMARY KEY (region, order_id))", "region, order_id", """
                              columns: "region,order_id,customer"
                """);
        Map<String, Object> eu = order(7, "ada", "1.00");
        eu.put("region", "eu");
        Map<String, Object> us = order(7, "bob", "2.00");
        us.put("region", "us");
        Map<String, Object> euAgain = order(7, "eve", "3.00");
        euAgain.put("region", "eu");

        assertThat(write(eu).getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isFalse();
        assertThat(write(us).getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isFalse();
        assertThat(write(euAgain).getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isTrue();

        assertThat(db.count("SELECT COUNT(*) FROM " + table)).isEqualTo(2);
        // the first write stays; the configured columns leave amount out
        assertThat(db.count("SELECT COUNT(*) FROM " + table + " WHERE region = 'eu' AND customer = 'ada'"
                + " AND amount IS NULL")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aClashOnAnotherUniqueIndexIsAFailureNotADuplicate(TestDatabases database) throws Exception {
        start(database, "CREATE TABLE $T (order_id INT PRIMARY KEY, customer VARCHAR(50) NOT NULL UNIQUE, "
                + "amount DECIMAL(10,2))", "order_id", "");
        write(order(1, "ada", "1.00"));

        Exchange clash = write(order(2, "ada", "2.00"));

        assertThat(clash.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("PERMANENT");
        assertThat(clash.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(1);
        assertThat(clash.getProperty(SelfhealProperties.DUPLICATE)).isNull();
        assertThat(db.count("SELECT COUNT(*) FROM " + table)).isEqualTo(1);
        assertThat(SelfhealIdempotency.of(ctx).sink("orders-sink").duplicates()).isZero();
    }

    @Test
    void withoutADataSourceTheSinkWritesToTheIdempotencyDatabase() throws Exception {
        String url = "jdbc:h2:file:./target/idem-h2/default-ds-" + java.util.UUID.randomUUID() + ";WRITE_DELAY=0";
        ctx = contexts.create(TestContexts.scaled("selfheal.idempotency.url", url));
        try (java.sql.Connection c = SelfhealIdempotency.of(ctx).dataSource().getConnection();
             java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE audit (event_id VARCHAR(40) PRIMARY KEY, what VARCHAR(40))");
        }
        YamlRoutes.load(ctx, """
                - route:
                    from:
                      uri: direct:audit
                      steps:
                        - to: "kamelet:idempotent-jdbc-sink/audit?table=audit&keyColumns=event_id"
                """);
        ctx.start();
        var producer = ctx.createProducerTemplate();
        producer.sendBody("direct:audit", Map.of("event_id", "e-1", "what", "created"));
        producer.sendBody("direct:audit", Map.of("event_id", "e-1", "what", "created"));

        IdempotentInsert sink = SelfhealIdempotency.of(ctx).sink("audit");
        assertThat(sink.inserted()).isEqualTo(1);
        assertThat(sink.duplicates()).isEqualTo(1);
        try (java.sql.Connection c = SelfhealIdempotency.of(ctx).dataSource().getConnection();
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM audit")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void aYamlRouteWritesARowFromExchangeProperties() throws Exception {
        db = TestDatabases.H2;
        table = TestDatabases.uniqueTable("props");
        db.exec("CREATE TABLE " + table + " (id INT PRIMARY KEY, sku VARCHAR(20), qty INT, "
                + "delivered_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)");
        ctx = contexts.create(TestContexts.SCALED);
        ctx.getRegistry().bind("demoDb", db.dataSource());
        YamlRoutes.load(ctx, """
                - route:
                    id: record
                    routeConfigurationId: self-healing
                    from:
                      uri: direct:record
                      steps:
                        - setProperty: { name: id, simple: "${body.split(',')[0]}" }
                        - setProperty: { name: sku, simple: "${body.split(',')[1]}" }
                        - setProperty: { name: qty, simple: "${body.split(',')[2]}" }
                        - kamelet:
                            name: idempotent-jdbc-sink
                            parameters:
                              dataSource: demoDb
                              table: %s
                              keyColumns: id
                              columns: "id,sku,qty"
                              rowFrom: properties
                """.formatted(table));
        ctx.start();
        var producer = ctx.createProducerTemplate();
        producer.sendBody("direct:record", "1,apple,3");
        producer.sendBody("direct:record", "2,pear,5");
        Exchange again = producer.request("direct:record", e -> e.getIn().setBody("1,apple,3"));

        assertThat(again.getProperty(SelfhealProperties.DUPLICATE, Boolean.class)).isTrue();
        assertThat(db.count("SELECT COUNT(*) FROM " + table)).isEqualTo(2);
        assertThat(db.count("SELECT qty FROM " + table + " WHERE id = 2")).isEqualTo(5);
    }

    @Test
    void rowsFromHeadersNeedTheColumns() throws Exception {
        ctx = contexts.create(TestContexts.SCALED);
        assertThatThrownBy(() -> {
            YamlRoutes.load(ctx, """
                    - route:
                        from:
                          uri: direct:broken
                          steps:
                            - to: "kamelet:idempotent-jdbc-sink?table=t&keyColumns=id&rowFrom=headers"
                    """);
            ctx.start();
        }).hasStackTraceContaining("rows from headers need the columns parameter");
    }

    @Test
    void columnNamesFromTheMessageCannotChangeTheStatement() throws Exception {
        start(TestDatabases.H2, "CREATE TABLE $T (order_id INT PRIMARY KEY, customer VARCHAR(50))", "order_id", "");
        Map<String, Object> hostile = new LinkedHashMap<>();
        hostile.put("order_id", 1);
        hostile.put("customer) VALUES (1, 'x'); DROP TABLE " + table + "; --", "x");

        Exchange out = write(hostile);

        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP, io.selfheal.escalation.GiveUp.class).errorSample())
                .contains("Invalid column name");
        assertThat(db.count("SELECT COUNT(*) FROM " + table)).isZero();
    }

    @Test
    void aBodyWithoutTheKeyIsAPermanentFailureThatNamesTheColumn() throws Exception {
        start(TestDatabases.H2, "CREATE TABLE $T (order_id INT PRIMARY KEY, customer VARCHAR(50))", "order_id", "");
        Exchange out = write(new LinkedHashMap<>(Map.of("customer", "ada")));
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP, io.selfheal.escalation.GiveUp.class).errorSample())
                .contains("order_id");
    }

    @Test
    void aMissingParameterStopsStartUpNamingIt() throws Exception {
        ctx = contexts.create(TestContexts.SCALED);
        assertThatThrownBy(() -> {
            YamlRoutes.load(ctx, """
                    - route:
                        from:
                          uri: direct:broken
                          steps:
                            - to: "kamelet:idempotent-jdbc-sink?keyColumns=id"
                    """);
            ctx.start();
        }).hasStackTraceContaining("kamelet idempotent-jdbc-sink: missing required parameter 'table'");
    }

    @Test
    void anUnknownDataSourceStopsStartUpNamingIt() throws Exception {
        ctx = contexts.create(TestContexts.SCALED);
        assertThatThrownBy(() -> {
            YamlRoutes.load(ctx, """
                    - route:
                        from:
                          uri: direct:broken
                          steps:
                            - to: "kamelet:idempotent-jdbc-sink?table=t&keyColumns=id&dataSource=noSuchDb"
                    """);
            ctx.start();
        }).hasStackTraceContaining("parameter dataSource: no javax.sql.DataSource named 'noSuchDb'");
    }
}
