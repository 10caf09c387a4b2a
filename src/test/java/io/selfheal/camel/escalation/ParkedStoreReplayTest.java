package io.selfheal.camel.escalation;

import io.selfheal.testing.CallKeys;
import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.selfheal.escalation.BodyTooLargeException;
import io.selfheal.escalation.ParkedHeaders;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStatus;
import io.selfheal.escalation.ParkedStore;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parked store on H2, PostgreSQL and MariaDB, through real routes: park, list, show, replay (delivered, REPLAYED,
 * the same Idempotency-Key at the upstream), a replay that fails again (parked again, linked), discard (with who and
 * why), and a body above the limit (refused whole, the exchange fails).
 */
class ParkedStoreReplayTest {
    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;
    private String table;
    private String url;
    private String user;

    @AfterEach
    void stop() throws Exception {
        if (url != null && !url.startsWith("jdbc:h2:")) {
            EscalationTests.dropTable(url, user, table);
        }
    }

    private void startRoutes(String db) throws Exception {
        table = EscalationTests.uniqueTable();
        switch (db) {
            case "h2" -> {
                url = "jdbc:h2:mem:esc-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
                user = "sa";
            }
            case "postgresql" -> {
                url = EscalationTests.PG_URL;
                user = "postgres";
            }
            default -> {
                url = EscalationTests.MARIADB_URL;
                user = "root";
            }
        }
        Map<String, String> props = TestContexts.scaled(Map.of("selfheal.parked.url", url,
                        "selfheal.parked.username", user, "selfheal.parked.password", "", "selfheal.parked.table", table),
                "selfheal.defaults.max-attempts", "2", "selfheal.parked.max-body-size", "64KB",
                "selfheal.parked.replay-poll-interval", "0s");
        ctx = contexts.start(props, new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:order").routeId("orders").routeConfigurationId("self-healing")
                        .setProperty("SelfhealUpstream", constant("inventory"))
                        .to("http://127.0.0.1:" + upstream.getPort() + "/orders?httpMethod=POST");
            }
        });
    }

    private void upstreamAnswers(int status) {
        upstream.resetMappings();
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(status).withBody("s" + status)));
    }

    private Exchange order(String id, byte[] body) {
        return ctx.createProducerTemplate().request("direct:order", e -> {
            e.getIn().setHeader("Idempotency-Key", "idem-" + id);
            e.getIn().setHeader("orderId", id);
            e.getIn().setBody(body);
        });
    }

    private static ReplayResult await(java.util.concurrent.CompletableFuture<ReplayResult> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void parkListShowReplayDiscard(String db) throws Exception {
        startRoutes(db);
        EscalationServices esc = EscalationServices.of(ctx);
        ParkedStore store = esc.store();
        ParkedReplayService replay = esc.replay();

        // park: the upstream keeps failing
        upstreamAnswers(503);
        byte[] body = "{\"order\":7,\"note\":\"ünïcödé\"}".getBytes(StandardCharsets.UTF_8);
        Exchange out = order("7", body);
        long id = out.getProperty(Escalator.PARKED_ID, Long.class);

        // list and show
        List<ParkedMessage> listed = store.list(ParkedStatus.PARKED, "inventory", 10);
        assertThat(listed).extracting(ParkedMessage::id).containsExactly(id);
        ParkedMessage m = store.find(id).orElseThrow();
        assertThat(m.body()).isEqualTo(body);
        assertThat(m.bodySize()).isEqualTo(body.length);
        assertThat(m.status()).isEqualTo(ParkedStatus.PARKED);
        assertThat(m.routeId()).isEqualTo("orders");
        assertThat(m.giveUpReason()).isEqualTo("ATTEMPTS");
        assertThat(m.failureClass()).isEqualTo("TRANSIENT");
        assertThat(m.attempts()).isEqualTo(2);
        assertThat(m.idempotencyKey()).isEqualTo("idem-7");
        assertThat(m.fromEndpoint()).isEqualTo("direct://order");
        assertThat(m.failureContextJson()).contains("\"giveUpReason\":\"ATTEMPTS\"").contains("\"upstream\":\"inventory\"");
        assertThat(ParkedHeaders.decode(m.headersJson())).containsEntry("orderId", "7").containsEntry("Idempotency-Key", "idem-7");
        assertThat(m.parkedAt()).isNotNull();
        String shown = ParkedViews.show(m, store.config().redactor());
        assertThat(shown).contains("#" + id).contains("PARKED").contains("orders").contains("inventory")
                .contains("idem-7").contains("orderId: 7").contains("ünïcödé");

        // a replay that fails again is parked again, linked to this record
        upstream.resetRequests();
        ReplayResult again = await(replay.replay(id, ReplayOptions.defaults()));
        assertThat(again.outcome()).isEqualTo(ReplayResult.Outcome.REPARKED);
        long second = again.newId();
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(ParkedStatus.REPARKED);
        assertThat(store.find(id).orElseThrow().reparkedAs()).isEqualTo(second);
        ParkedMessage reparked = store.find(second).orElseThrow();
        assertThat(reparked.status()).isEqualTo(ParkedStatus.PARKED);
        assertThat(reparked.replayedFrom()).isEqualTo(id);
        assertThat(reparked.body()).isEqualTo(body);
        assertThat(ParkedViews.show(reparked, store.config().redactor())).contains("replayed from").contains("#" + id);
        // the earlier record is no longer replayable
        assertThat(await(replay.replay(id, ReplayOptions.defaults())).outcome()).isEqualTo(ReplayResult.Outcome.NOT_REPLAYABLE);

        // the upstream is back: the replay is delivered with a bigger budget and the same Idempotency-Key
        upstreamAnswers(200);
        upstream.resetRequests();
        ReplayResult delivered = await(replay.replay(second, new ReplayOptions(5, Duration.ofMinutes(1), null, "test")));
        assertThat(delivered.outcome()).isEqualTo(ReplayResult.Outcome.REPLAYED);
        assertThat(store.find(second).orElseThrow().status()).isEqualTo(ParkedStatus.REPLAYED);
        assertThat(store.find(second).orElseThrow().replayedAt()).isNotNull();
        List<LoggedRequest> seen = upstream.findAll(postRequestedFor(urlPathEqualTo("/orders")));
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).getHeader("Idempotency-Key")).isEqualTo(CallKeys.of("idem-7", seen.get(0)));
        assertThat(seen.get(0).getHeader("orderId")).isEqualTo("7");
        assertThat(seen.get(0).getBody()).isEqualTo(body);

        // discard: the loss is accepted, with who and why
        upstreamAnswers(503);
        long third = order("8", "{\"order\":8}".getBytes(StandardCharsets.UTF_8)).getProperty(Escalator.PARKED_ID, Long.class);
        assertThat(store.discard(third, "alice", "order 8 was cancelled by the customer")).isTrue();
        ParkedMessage discarded = store.find(third).orElseThrow();
        assertThat(discarded.status()).isEqualTo(ParkedStatus.DISCARDED);
        assertThat(discarded.discardedBy()).isEqualTo("alice");
        assertThat(discarded.discardReason()).isEqualTo("order 8 was cancelled by the customer");
        assertThat(discarded.discardedAt()).isNotNull();
        assertThat(await(replay.replay(third, ReplayOptions.defaults())).outcome()).isEqualTo(ReplayResult.Outcome.NOT_REPLAYABLE);
        assertThat(store.discard(second, "bob", "already delivered")).isFalse();

        // replay --upstream: every PARKED message of the upstream
        long fourth = order("9", "{\"order\":9}".getBytes(StandardCharsets.UTF_8)).getProperty(Escalator.PARKED_ID, Long.class);
        upstreamAnswers(200);
        List<ReplayResult> all = replay.replayUpstream("inventory", ReplayOptions.defaults(), 50).get(30, TimeUnit.SECONDS);
        assertThat(all).extracting(ReplayResult::id).containsExactly(fourth);
        assertThat(all.get(0).outcome()).isEqualTo(ReplayResult.Outcome.REPLAYED);

        // a body above max-body-size is refused whole: the exchange fails, nothing is stored or cut
        upstreamAnswers(503);
        int before = store.list(null, null, 1000).size();
        Exchange big = order("10", new byte[65 * 1024]);
        assertThat(big.getException()).isInstanceOf(BodyTooLargeException.class)
                .hasMessageContaining("selfheal.parked.max-body-size=64KB").hasMessageContaining("never cut");
        assertThat(store.list(null, null, 1000)).hasSize(before);
    }
}
