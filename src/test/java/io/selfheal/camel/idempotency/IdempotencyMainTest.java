package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfhealMain;


import org.apache.camel.CamelContext;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's YAML, run the way the jar runs it (camel-main, routes from a directory): an idempotent consumer on a
 * named scope feeding the idempotent sink.
 */
class IdempotencyMainTest {
    private Main main;

    @AfterEach
    void stop() {
        if (main != null) {
            main.stop();
        }
    }

    @Test
    void theReadmeRouteDeliversEachOrderOnce() throws Exception {
        Path dir = Path.of("target", "idem-main-" + UUID.randomUUID());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("orders.yaml"), """
                - route:
                    id: orders
                    routeConfigurationId: self-healing
                    from:
                      uri: direct:orders
                      steps:
                        - idempotentConsumer:
                            idempotentRepository: "#selfhealIdempotentRepository-orders"
                            expression:
                              header: orderId
                            steps:
                              - to: "kamelet:idempotent-jdbc-sink/orders-sink?table=orders&keyColumns=order_id"
                """);
        main = SelfhealMain.create();
        // this branch's SelfhealMain still scans its package for route builders (main no longer does): off here
        main.addOverrideProperty("camel.main.base-package-scan-enabled", "false");
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:" + dir + "/*.yaml");
        main.addOverrideProperty("selfheal.idempotency.url",
                "jdbc:h2:file:./" + dir.toString().replace('\\', '/') + "/keys;WRITE_DELAY=0");
        main.start();
        CamelContext ctx = main.getCamelContext();
        try (Connection c = SelfhealIdempotency.of(ctx).dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (order_id VARCHAR(20) PRIMARY KEY, amount DECIMAL(10,2))");
        }

        ProducerTemplate producer = ctx.createProducerTemplate();
        for (int i = 0; i < 3; i++) {
            String id = "o" + i;
            producer.sendBodyAndHeader("direct:orders", Map.of("order_id", id, "amount", 10 + i), "orderId", id);
            var again = producer.send("direct:orders", e -> {
                e.getIn().setHeader("orderId", id);
                e.getIn().setBody(Map.of("order_id", id, "amount", 10));
            });
            assertThat(again.getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE, Boolean.class)).isTrue();
        }

        try (Connection c = SelfhealIdempotency.of(ctx).dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM orders")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(3);
        }
        assertThat(SelfhealIdempotency.of(ctx).repository("orders").contains("o1")).isTrue();
        assertThat(SelfhealIdempotency.of(ctx).sink("orders-sink").inserted()).isEqualTo(3);
    }
}
