package io.selfheal.camel.escalation;

import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.selfheal.escalation.ParkedHeaders;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStatus;
import io.selfheal.escalation.ParkedStore;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A parked record holds what redoes exactly the work that gave up: the message as its unit of work began (a split item,
 * a multicast branch, a sub-route reached by direct:, a kamelet's route), without the Camel headers calls added on
 * the way, and where that unit re-enters; the message at failure is kept apart. Once the upstream answers 200,
 * replaying every record delivers each item once, runs no step of a parent again, and parks nothing new.
 */
class ParkedUnitOfWorkTest {
    private static final String ORDERS = "1,apple,3\n2,pear,1\n3,plum,4\n4,fig,2\n5,kiwi,9";

    @RegisterExtension
    WireMockExtension upstream = TestContexts.localWireMock();

    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;
    private final Queue<String> delivered = new ConcurrentLinkedQueue<>();

    private String base() {
        return "http://127.0.0.1:" + upstream.getPort();
    }

    private void start(RouteBuilder routes) throws Exception {
        ctx = contexts.create(TestContexts.scaled("selfheal.defaults.max-attempts", "3",
                "selfheal.parked.replay-poll-interval", "0s"));
        // as the jar runs: camel-main leaves Camel's copy of each original message off
        ctx.setAllowUseOriginalMessage(false);
        ctx.addRoutes(routes);
        ctx.start();
    }

    /** Items 1 and 2 are refused (400: PERMANENT), 3 and 4 stay unavailable (503: ATTEMPTS), 5 is priced. */
    private void upstreamFailsItemsOneToFour(String path) {
        upstream.stubFor(get(urlPathMatching(path + "/[12]")).willReturn(aResponse().withStatus(400).withBody("no such sku")));
        upstream.stubFor(get(urlPathMatching(path + "/[34]")).willReturn(aResponse().withStatus(503).withBody("busy")));
        upstream.stubFor(get(urlPathMatching(path + "/5")).willReturn(aResponse().withStatus(200).withBody("price")));
        upstream.stubFor(get(urlPathEqualTo("/config")).willReturn(aResponse().withStatus(200).withBody("config")));
    }

    private void upstreamFixed() {
        upstream.resetMappings();
        upstream.resetRequests();
        upstream.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200).withBody("price")));
    }

    private ParkedStore store() {
        return EscalationServices.of(ctx).store();
    }

    private List<ParkedMessage> records() {
        List<ParkedMessage> out = new ArrayList<>();
        for (ParkedMessage m : store().list(null, null, 100)) {
            out.add(store().find(m.id()).orElseThrow());
        }
        out.sort(Comparator.comparing(ParkedMessage::id));
        return out;
    }

    private static String body(ParkedMessage m) {
        return m.body() == null ? "" : new String(m.body(), StandardCharsets.UTF_8);
    }

    /** Replays every record and expects each delivered, none parked again. */
    private void replayEveryRecord(List<ParkedMessage> records) throws Exception {
        for (ParkedMessage m : records) {
            ReplayResult r = EscalationServices.of(ctx).replay().replay(m.id(), null).get(30, TimeUnit.SECONDS);
            assertThat(r.outcome()).as("replay of #%d (%s)", m.id(), body(m)).isEqualTo(ReplayResult.Outcome.REPLAYED);
        }
        assertThat(store().list(null, null, 100)).as("no record parked by the replays")
                .hasSize(records.size()).allMatch(m -> m.status() == ParkedStatus.REPLAYED);
    }

    private static void assertItemRecords(List<ParkedMessage> records, String routeId) {
        assertThat(records).extracting(ParkedUnitOfWorkTest::body)
                .containsExactlyInAnyOrder("1,apple,3", "2,pear,1", "3,plum,4", "4,fig,2");
        assertThat(records).extracting(ParkedMessage::giveUpReason)
                .containsExactlyInAnyOrder("PERMANENT", "PERMANENT", "ATTEMPTS", "ATTEMPTS");
        for (ParkedMessage m : records) {
            assertThat(m.routeId()).isEqualTo(routeId);
            Map<String, String> headers = ParkedHeaders.decode(m.headersJson());
            assertThat(headers.keySet()).as("replayed headers of #%d", m.id())
                    .noneMatch(h -> h.startsWith("Camel")).contains("batch");
            // the message when it gave up is kept apart, for diagnosis
            assertThat(ParkedHeaders.decode(m.failureHeadersJson())).containsKey("CamelHttpResponseCode");
        }
        // each item goes by a key of its own, so an upstream that honours the key on a replay's later calls tells them apart
        assertThat(records).extracting(ParkedMessage::idempotencyKey).doesNotContainNull().doesNotHaveDuplicates();
    }

    @Test
    void splitItemsCallingASelfHealingRouteAreParkedAsTheyBeganAndReplayedOnce() throws Exception {
        upstreamFailsItemsOneToFour("/inventory");
        start(new RouteBuilder() {
            @Override
            public void configure() {
                // the demo's shape: a batch route without self-healing splits its orders into a route that has it
                from("direct:batch").routeId("batch")
                        .setHeader("batch", constant("b-1"))
                        // an earlier call leaves its response headers (CamelHttpResponseCode...) on every item
                        .setProperty("orders", body())
                        .to(base() + "/config?httpMethod=GET")
                        .setBody(exchangeProperty("orders"))
                        .split(body().tokenize("\n")).parallelProcessing()
                            .to("direct:record")
                        .end();
                from("direct:record").routeId("record").routeConfigurationId("self-healing")
                        .setProperty("SelfhealUpstream", constant("inventory-service"))
                        .setProperty("id", simple("${body.split(',')[0]}"))
                        .setProperty("line", body())
                        .setBody(constant(""))
                        .toD(base() + "/inventory/${exchangeProperty.id}?httpMethod=GET")
                        .process(e -> delivered.add(e.getProperty("line", String.class)));
            }
        });
        ctx.createProducerTemplate().sendBody("direct:batch", ORDERS);

        List<ParkedMessage> records = records();
        assertItemRecords(records, "record");
        ParkedMessage first = records.get(0);
        String shown = ParkedViews.show(first, store().config().redactor());
        assertThat(shown).contains("REPLAY INPUT").contains("body (" + first.bodySize() + " bytes)")
                .contains(body(first)).contains("route record at its start (direct://record)")
                .contains("AT FAILURE").contains("CamelHttpResponseCode");
        assertThat(shown.substring(shown.indexOf("REPLAY INPUT"), shown.indexOf("AT FAILURE")))
                .doesNotContain("CamelHttpResponseCode");
        assertThat(ParkedViews.detailMap(first, store().config().redactor())).containsKeys("replaysInto", "atFailure");

        upstreamFixed();
        replayEveryRecord(records);
        assertThat(delivered).containsExactlyInAnyOrder(ORDERS.split("\n"));
        // the batch's own steps did not run again (the counts start again when the upstream is fixed)
        upstream.verify(0, getRequestedFor(urlPathEqualTo("/config")));
    }

    @Test
    void splitItemsAndMulticastBranchesInsideOneRouteReplayOnlyTheirOwnSteps() throws Exception {
        upstreamFailsItemsOneToFour("/inventory");
        upstream.stubFor(get(urlPathEqualTo("/audit")).willReturn(aResponse().withStatus(503)));
        start(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:batch").routeId("batch").routeConfigurationId("self-healing")
                        .setHeader("batch", constant("b-1"))
                        .setProperty("orders", body())
                        .to(base() + "/config?httpMethod=GET")
                        .setBody(exchangeProperty("orders"))
                        .split(body().tokenize("\n")).id("orders")
                            .setProperty("id", simple("${body.split(',')[0]}"))
                            .setProperty("line", body())
                            .setBody(constant(""))
                            .toD(base() + "/inventory/${exchangeProperty.id}?httpMethod=GET")
                            .process(e -> delivered.add(e.getProperty("line", String.class)))
                        .end()
                        .setBody(constant("summary"))
                        .multicast().id("notify")
                            .process(e -> delivered.add("ledger:" + e.getIn().getBody(String.class)))
                            .pipeline()
                                .setProperty("what", body())
                                .to(base() + "/audit?httpMethod=GET")
                                .process(e -> delivered.add("audit:" + e.getProperty("what", String.class)))
                            .end()
                        .end();
            }
        });
        ctx.createProducerTemplate().sendBody("direct:batch", ORDERS);

        List<ParkedMessage> records = records();
        List<ParkedMessage> items = records.stream().filter(m -> "orders".equals(m.reentryStep())).toList();
        assertItemRecords(items, "batch");
        // the audit branch (the second branch of the multicast) gave up too: it alone is replayed
        assertThat(records).hasSize(5);
        ParkedMessage audit = records.stream().filter(m -> "notify#1".equals(m.reentryStep())).findFirst().orElseThrow();
        assertThat(body(audit)).isEqualTo("summary");
        assertThat(ParkedViews.show(audit, store().config().redactor()))
                .contains("route batch, the steps of branch 1 of step notify");
        assertThat(delivered).containsExactlyInAnyOrder("5,kiwi,9", "ledger:summary");

        upstreamFixed();
        replayEveryRecord(records);
        assertThat(delivered).containsExactlyInAnyOrder("1,apple,3", "2,pear,1", "3,plum,4", "4,fig,2", "5,kiwi,9",
                "ledger:summary", "audit:summary");
        upstream.verify(0, getRequestedFor(urlPathEqualTo("/config")));
    }

    @Test
    void aGiveUpInASubRouteReplaysIntoTheSubRouteWithoutRunningTheParentAgain() throws Exception {
        upstream.stubFor(get(urlPathEqualTo("/sub/x-2")).willReturn(aResponse().withStatus(503)));
        upstream.stubFor(get(urlPathEqualTo("/sub/y-2")).willReturn(aResponse().withStatus(400)));
        start(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:parent").routeId("parent").routeConfigurationId("self-healing")
                        .setHeader("batch", constant("b-1"))
                        .transform(simple("${body}-2"))
                        .to("direct:sub");
                from("direct:sub").routeId("sub").routeConfigurationId("self-healing")
                        .setProperty("sent", body())
                        .toD(base() + "/sub/${body}?httpMethod=GET")
                        .process(e -> delivered.add(e.getProperty("sent", String.class)));
            }
        });
        ctx.createProducerTemplate().sendBody("direct:parent", "x");
        ctx.createProducerTemplate().sendBody("direct:parent", "y");

        List<ParkedMessage> records = records();
        assertThat(records).extracting(ParkedUnitOfWorkTest::body).containsExactly("x-2", "y-2");
        assertThat(records).extracting(ParkedMessage::giveUpReason).containsExactly("ATTEMPTS", "PERMANENT");
        assertThat(records).extracting(ParkedMessage::routeId).containsOnly("sub");
        assertThat(records).extracting(ParkedMessage::fromEndpoint).containsOnly("direct://sub");

        upstreamFixed();
        replayEveryRecord(records);
        // the parent's transform did not run again: x-2, never x-2-2
        upstream.verify(1, getRequestedFor(urlPathEqualTo("/sub/x-2")));
        upstream.verify(1, getRequestedFor(urlPathEqualTo("/sub/y-2")));
        assertThat(upstream.findAll(getRequestedFor(urlPathMatching("/sub/.*-2-2")))).isEmpty();
        assertThat(delivered).containsExactlyInAnyOrder("x-2", "y-2");
    }

    @Test
    void aGiveUpInAKameletStepReplaysIntoTheKameletWithoutRunningTheCallerAgain() throws Exception {
        upstreamFailsItemsOneToFour("/price");
        start(new RouteBuilder() {
            @Override
            public void configure() {
                routeTemplate("price-item").templateParameter("base")
                        .from("kamelet:source").routeConfigurationId("self-healing")
                        .setProperty("id", simple("${body.split(',')[0]}"))
                        .setProperty("line", body())
                        .setBody(constant(""))
                        .toD("{{base}}/price/${exchangeProperty.id}?httpMethod=GET")
                        .process(e -> delivered.add(e.getProperty("line", String.class)));
                from("direct:batch").routeId("batch").routeConfigurationId("self-healing")
                        .setHeader("batch", constant("b-1"))
                        .setProperty("orders", body())
                        .to(base() + "/config?httpMethod=GET")
                        .setBody(exchangeProperty("orders"))
                        .split(body().tokenize("\n"))
                            .to("kamelet:price-item?base=" + base())
                        .end();
            }
        });
        ctx.createProducerTemplate().sendBody("direct:batch", ORDERS);

        List<ParkedMessage> records = records();
        String kameletRoute = records.get(0).routeId();
        assertThat(kameletRoute).startsWith("price-item");
        assertItemRecords(records, kameletRoute);

        upstreamFixed();
        replayEveryRecord(records);
        assertThat(delivered).containsExactlyInAnyOrder(ORDERS.split("\n"));
        upstream.verify(0, getRequestedFor(urlPathEqualTo("/config")));
    }
}
