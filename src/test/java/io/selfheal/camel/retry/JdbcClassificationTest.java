package io.selfheal.camel.retry;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A real constraint violation from a real database is PERMANENT and not retried. */
class JdbcClassificationTest {
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    @Test
    void uniqueViolationOnH2IsPermanentAndNotRetried() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:constraint;DB_CLOSE_DELAY=-1");
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(50))");
            s.execute("INSERT INTO orders VALUES (1, 'existing')");
        }
        AtomicInteger connections = new AtomicInteger();
        DataSource counting = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        connections.incrementAndGet();
                    }
                    return method.invoke(h2, args);
                });
        ctx = contexts.create(TestContexts.SCALED);
        ctx.getRegistry().bind("ordersDb", counting);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:insert").routeConfigurationId("self-healing")
                        .setBody(constant("INSERT INTO orders VALUES (1, 'duplicate')"))
                        .to("jdbc:ordersDb");
            }
        });
        ctx.start();
        Exchange out = ctx.createProducerTemplate().request("direct:insert", e -> { });
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(1);
        assertThat(connections).hasValue(1);
        try (Connection c = h2.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT item FROM orders WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("existing");
        }
        io.selfheal.escalation.GiveUp g = out.getProperty(SelfhealProperties.GIVE_UP, io.selfheal.escalation.GiveUp.class);
        assertThat(g.upstream()).isEqualTo("ordersDb");
        assertThat(g.outcomes()).containsExactly("SQLSTATE 23505");
    }
}
