package io.selfheal.camel.escalation;

import io.selfheal.camel.SelfhealMain;


import io.selfheal.demo.DemoSummary;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStatus;
import io.selfheal.escalation.ParkedStore;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped demo (routes/demo-*.yaml, in camel-main as the jar runs it): every record it parks holds the order line
 * its item began with and none of the Camel headers calls added (the batch's CREATE TABLE count, the failing call's
 * response code); once inventory-service answers 200, replaying every parked record delivers it, and the batch has
 * one row per record.
 */
class DemoReplayTest {
    private static final String DEMO_DB = "jdbc:h2:file:./data/demo;AUTO_SERVER=TRUE";

    @Test
    void everyRecordTheDemoParksIsReplayedOnceItsUpstreamAnswers200() throws Exception {
        try (Connection c = DriverManager.getConnection(DEMO_DB, "sa", ""); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS demo_deliveries");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String unique = UUID.randomUUID().toString();
        Main main = SelfhealMain.create();
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:routes/demo-*.yaml");
        main.addOverrideProperty("camel.server.port", String.valueOf(port));
        main.addOverrideProperty("camel.management.enabled", "false");
        main.addOverrideProperty("camel.main.duration-max-idle-seconds", "0");
        main.addOverrideProperty("selfheal.parked.url", "jdbc:h2:mem:demo-parked-" + unique + ";DB_CLOSE_DELAY=-1");
        main.addOverrideProperty("selfheal.idempotency.url", "jdbc:h2:mem:demo-keys-" + unique + ";DB_CLOSE_DELAY=-1");
        main.addOverrideProperty("selfheal.parked.replay-poll-interval", "0s");
        try {
            main.start();
            CamelContext ctx = main.getCamelContext();
            DemoSummary summary = ctx.getRegistry().lookupByNameAndType("demoSummary", DemoSummary.class);
            // the job's three runs have ended and each printed its summary from its run record
            await().atMost(90, TimeUnit.SECONDS).until(() -> summary.printed() == 3);
            // replays the breaker's recovery started on its own are over too
            await().atMost(60, TimeUnit.SECONDS).until(() -> ctx.getInflightRepository().size() == 0);

            ParkedStore store = EscalationServices.of(ctx).store();
            List<ParkedMessage> parked = store.list(ParkedStatus.PARKED, null, 100);
            assertThat(parked).isNotEmpty();
            for (ParkedMessage listed : parked) {
                ParkedMessage m = store.find(listed.id()).orElseThrow();
                String body = new String(m.body(), StandardCharsets.UTF_8);
                assertThat(body).as("#%d", m.id()).matches("\\d+,[^,]+,\\d+");
                assertThat(m.routeId()).isEqualTo("demo-record");
                assertThat(m.headersJson()).doesNotContain("CamelHttpResponseCode").doesNotContain("CamelJdbc");
                assertThat(ParkedViews.show(m, store.config().redactor())).contains("body (" + body.length() + " bytes)");
            }

            // inventory-service is fixed: every call answers 200
            ctx.getRouteController().stopRoute("demo-inventory-service");
            ctx.removeRoute("demo-inventory-service");
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("platform-http:/demo/inventory/{id}?httpMethodRestrict=GET").routeId("fixed-inventory-service")
                            .removeHeaders("*", "id")
                            .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(200))
                            .setBody(simple("{\"id\":${header.id},\"price\":1.00}"));
                }
            });
            ParkedReplayService replay = ParkedReplayService.of(ctx);
            for (ParkedMessage m : parked) {
                assertThat(replay.replay(m.id(), null).get(60, TimeUnit.SECONDS).outcome()).as("replay of #%d", m.id())
                        .isEqualTo(ReplayResult.Outcome.REPLAYED);
            }
            assertThat(store.list(ParkedStatus.PARKED, null, 100)).as("parked again by the replays").isEmpty();
            try (Connection c = DriverManager.getConnection(DEMO_DB, "sa", ""); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT id) FROM demo_deliveries")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(40);
                assertThat(rs.getInt(2)).isEqualTo(40);
            }
        } finally {
            main.stop();
        }
    }
}
