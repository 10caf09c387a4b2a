package io.selfheal.camel.idempotency;

import io.selfheal.camel.Selfheal;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;
import io.selfheal.testing.YamlRoutes;



import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ConnectException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The idempotent consumer EIP on Selfheal's JDBC repository, written as a user would in YAML: keys survive a restart on
 * the embedded H2 file; a message that gives up releases its key so its replay goes through; a delivered one keeps it.
 */
class IdempotentConsumerTest {
    private static final Path DATA = Path.of("target", "idem-h2");
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    /** Like the default URL (an H2 file, each commit written through), under target/. */
    private final String repositoryUrl = "jdbc:h2:file:./" + DATA.resolve("keys-" + run).toString().replace('\\', '/')
            + ";WRITE_DELAY=0";
    private final AtomicInteger deliveries = new AtomicInteger();
    private JdbcDataSource sinkDb;
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    /** When a call of the flaky step fails; by default while the message's "fail" header is true. */
    private volatile java.util.function.Predicate<Exchange> failWhen = e -> e.getIn().getHeader("fail", false, Boolean.class);
    /** Throws a transient failure when {@link #failWhen} says so: retried, then given up. */
    private final Processor flaky = e -> {
        if (failWhen.test(e)) {
            throw new ConnectException("Connection refused (test)");
        }
    };

    @BeforeEach
    void sinkTable() throws SQLException {
        sinkDb = new JdbcDataSource();
        // kept open between calls: the sink is not under test, and reopening the file per insert is slow
        sinkDb.setURL("jdbc:h2:file:./" + DATA.resolve("sink-" + run).toString().replace('\\', '/') + ";DB_CLOSE_DELAY=-1");
        // a plain table without a unique key: a second delivery would show as a second row
        try (Connection c = sinkDb.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE deliveries (order_id VARCHAR(20), payload VARCHAR(100))");
        }
    }

    private CamelContext start(Map<String, String> props, String yaml) throws Exception {
        CamelContext c = contexts.create(props);
        c.getRegistry().bind("sinkDb", sinkDb);
        c.getRegistry().bind("countDelivery", (Processor) e -> deliveries.incrementAndGet());
        c.getRegistry().bind("flaky", flaky);
        YamlRoutes.load(c, yaml);
        c.start();
        return c;
    }

    private Map<String, String> repositoryProps() {
        Map<String, String> p = TestContexts.scaled("selfheal.defaults.max-attempts", "3");
        p.put("selfheal.idempotency.url", repositoryUrl);
        return p;
    }

    /** {@code orders}: the idempotent consumer on the default scope, a flaky step, then a plain insert. */
    private static String ordersRoute(String repository, String extraEipOptions) {
        return """
                - route:
                    id: orders
                    routeConfigurationId: self-healing
                    from:
                      uri: direct:orders
                      steps:
                        - idempotentConsumer:
                            idempotentRepository: "%s"
                %s
                            expression:
                              header: orderId
                            steps:
                              - process:
                                  ref: flaky
                              - process:
                                  ref: countDelivery
                              - to: "sql:INSERT INTO deliveries (order_id, payload) VALUES (:#orderId, :#${body})?dataSource=#sinkDb"
                """.formatted(repository, extraEipOptions);
    }

    private Exchange send(String orderId, boolean fail) {
        return ctx.createProducerTemplate().send("direct:orders", e -> {
            e.getIn().setHeader("orderId", orderId);
            e.getIn().setHeader("fail", fail);
            e.getIn().setBody("payload of " + orderId);
        });
    }

    private long count(String sql) throws SQLException {
        try (Connection c = sinkDb.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void keysSurviveARestartOnTheEmbeddedH2File() throws Exception {
        ctx = start(repositoryProps(), ordersRoute("#selfhealIdempotentRepository", ""));
        for (int i = 0; i < 500; i++) {
            assertThat(send("order-" + i, false).getException()).isNull();
        }
        assertThat(deliveries.get()).isEqualTo(500);
        assertThat(count("SELECT COUNT(*) FROM deliveries")).isEqualTo(500);

        // stop: the pool closes and H2 closes the file; a new CamelContext opens the same file, as after a restart
        SelfhealIdempotency first = SelfhealIdempotency.of(ctx);
        ctx.stop();
        assertThat(first.dataSource().isOpen()).isFalse();
        deliveries.set(0);
        ctx = start(repositoryProps(), ordersRoute("#selfhealIdempotentRepository", ""));
        for (int i = 0; i < 500; i++) {
            Exchange out = send("order-" + i, false);
            assertThat(out.getException()).isNull();
            assertThat(out.getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE, Boolean.class)).isTrue();
        }

        assertThat(deliveries.get()).isZero();
        assertThat(count("SELECT COUNT(*) FROM deliveries")).isEqualTo(500);
        assertThat(count("SELECT COUNT(DISTINCT order_id) FROM deliveries")).isEqualTo(500);
    }

    @Test
    void aMessageThatGivesUpReleasesItsKeySoItsReplayGoesThroughAndADeliveredOneKeepsIt() throws Exception {
        // removeOnFailure false: Camel's EIP itself would keep the key; Selfheal's give-up releases it
        ctx = start(repositoryProps(), ordersRoute("#selfhealIdempotentRepository",
                "            removeOnFailure: false"));
        IdempotentRepository repository = SelfhealIdempotency.of(ctx).repository(JdbcIdempotentRepository.DEFAULT_SCOPE);

        Exchange gaveUp = send("order-1", true);
        assertThat(gaveUp.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        assertThat(gaveUp.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(3);
        assertThat(repository.contains("order-1")).isFalse();
        assertThat(deliveries.get()).isZero();

        // the replay (the upstream is back) goes through, once
        Exchange replay = send("order-1", false);
        assertThat(replay.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        assertThat(replay.getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE)).isNull();
        assertThat(deliveries.get()).isEqualTo(1);
        assertThat(repository.contains("order-1")).isTrue();

        // delivered: the key stays and the next copy is skipped
        Exchange again = send("order-1", false);
        assertThat(again.getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE, Boolean.class)).isTrue();
        assertThat(deliveries.get()).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM deliveries WHERE order_id = 'order-1'")).isEqualTo(1);
    }

    @Test
    void aDatabaseOutageDuringTheKeyCheckIsRetriedAndNothingRunsUnchecked() throws Exception {
        // the key store's database refuses connections for a while (as Hikari reports it: SQLSTATE 08001)
        JdbcDataSource real = new JdbcDataSource();
        real.setURL("jdbc:h2:file:./" + DATA.resolve("outage-" + run).toString().replace('\\', '/') + ";DB_CLOSE_DELAY=-1");
        AtomicInteger refusals = new AtomicInteger();
        javax.sql.DataSource flakyDb = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && refusals.getAndDecrement() > 0) {
                        throw new java.sql.SQLTransientConnectionException("Connection refused (test outage)", "08001");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        JdbcIdempotentRepository repository = new JdbcIdempotentRepository(
                new io.selfheal.idempotency.JdbcKeyStore(flakyDb, "keys_outage", java.time.Clock.systemUTC()), "default");
        CamelContext c = contexts.create(repositoryProps());
        c.getRegistry().bind("outageRepository", repository);
        c.getRegistry().bind("flaky", flaky);
        c.getRegistry().bind("countDelivery", (Processor) e -> deliveries.incrementAndGet());
        c.getRegistry().bind("sinkDb", sinkDb);
        YamlRoutes.load(c, ordersRoute("#outageRepository", ""));
        c.start();
        ctx = c;

        // a short outage: retried, then processed once
        refusals.set(2);
        Exchange out = send("order-5", false);
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(3);
        assertThat(deliveries.get()).isEqualTo(1);
        assertThat(send("order-5", false).getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE, Boolean.class)).isTrue();

        // a long outage: gives up without processing and without a key; after it, the replay goes through once
        refusals.set(100);
        Exchange gaveUp = send("order-6", false);
        assertThat(gaveUp.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        assertThat(gaveUp.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("TRANSIENT");
        assertThat(gaveUp.getProperty(SelfhealProperties.GIVE_UP, io.selfheal.escalation.GiveUp.class).idempotencyKey())
                .isNotBlank();
        assertThat(deliveries.get()).isEqualTo(1);
        refusals.set(0);
        assertThat(repository.contains("order-6")).isFalse();
        send("order-6", false);
        send("order-6", false);
        assertThat(deliveries.get()).isEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM deliveries WHERE order_id = 'order-6'")).isEqualTo(1);
    }

    @Test
    void aRetryThatSucceedsKeepsTheKey() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        failWhen = e -> calls.incrementAndGet() == 1;
        ctx = start(repositoryProps(), ordersRoute("#selfhealIdempotentRepository", ""));

        Exchange out = send("order-9", false);

        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        assertThat(deliveries.get()).isEqualTo(1);
        assertThat(SelfhealIdempotency.of(ctx).repository("default").contains("order-9")).isTrue();
    }

    @Test
    void stockCamelAlsoReleasesTheKeyWhenTheHandledFailureIsTheLastWord() throws Exception {
        // what Camel 4.18 does on its own: the self-healing clause handles the failure, and the EIP still sees it as
        // failure-handled (removeOnFailure, the default) and removes the key; Selfheal's release does not rely on it
        MemoryIdempotentRepository memory = new MemoryIdempotentRepository();
        CamelContext c = contexts.create(repositoryProps());
        c.getRegistry().bind("memoryRepository", memory);
        c.getRegistry().bind("flaky", flaky);
        c.getRegistry().bind("countDelivery", (Processor) e -> deliveries.incrementAndGet());
        c.getRegistry().bind("sinkDb", sinkDb);
        YamlRoutes.load(c, ordersRoute("#memoryRepository", ""));
        c.start();
        ctx = c;

        Exchange gaveUp = send("order-2", true);
        assertThat(gaveUp.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        assertThat(memory.contains("order-2")).isFalse();
    }

    @Test
    void scopesKeepKeysOfDifferentKindsApart() throws Exception {
        ctx = start(repositoryProps(), ordersRoute("#selfhealIdempotentRepository", "") + """
                - route:
                    id: invoices
                    routeConfigurationId: self-healing
                    from:
                      uri: direct:invoices
                      steps:
                        - idempotentConsumer:
                            idempotentRepository: "#selfhealIdempotentRepository-invoices"
                            expression:
                              header: orderId
                            steps:
                              - process:
                                  ref: countDelivery
                """);
        ProducerTemplate producer = ctx.createProducerTemplate();
        send("42", false);
        producer.sendBodyAndHeader("direct:invoices", "invoice", "orderId", "42");
        producer.sendBodyAndHeader("direct:invoices", "invoice", "orderId", "42");
        send("42", false);

        assertThat(deliveries.get()).isEqualTo(2);
        SelfhealIdempotency idempotency = SelfhealIdempotency.of(ctx);
        assertThat(idempotency.repository("invoices").contains("42")).isTrue();
        assertThat(idempotency.repository("default").contains("42")).isTrue();
        assertThat(idempotency.repository("payments").contains("42")).isFalse();
        assertThat(ctx.getRegistry().lookupByNameAndType("selfhealIdempotentRepository-invoices",
                IdempotentRepository.class)).isSameAs(idempotency.repository("invoices"));
    }
}
