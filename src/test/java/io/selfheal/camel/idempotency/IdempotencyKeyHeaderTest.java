package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.selfheal.escalation.GiveUp;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Idempotency-Key header on mutating requests from self-healing routes, against a real HTTP server: one key per
 * message and call site, the same on every retry, after a restart and on a replay; 409 retried, 422 not.
 */
class IdempotencyKeyHeaderTest {
    private static final String KEY = "Idempotency-Key";
    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    private String orders(String method) {
        return "http://127.0.0.1:" + wm.getPort() + "/orders?httpMethod=" + method + "&connectTimeout=2000&responseTimeout=3000";
    }

    /** Route "orders-out": direct:send → POST /orders, inheriting self-healing. */
    private CamelContext startOrdersRoute() throws Exception {
        return contexts.start(TestContexts.scaled("selfheal.defaults.max-attempts", "4"), new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:send").routeId("orders-out").routeConfigurationId("self-healing").to(orders("POST"));
            }
        });
    }

    private Exchange send(String body) {
        return ctx.createProducerTemplate().send("direct:send", e -> e.getIn().setBody(body));
    }

    private void stubSequence(int... statuses) {
        String state = STARTED;
        for (int i = 0; i < statuses.length; i++) {
            String next = i == statuses.length - 1 ? state : "s" + (i + 1);
            wm.stubFor(any(urlPathEqualTo("/orders")).inScenario("seq").whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(statuses[i]).withBody("status " + statuses[i]))
                    .willSetStateTo(next));
            state = next;
        }
    }

    private List<String> sentKeys() {
        List<String> keys = new ArrayList<>();
        for (LoggedRequest r : wm.findAll(anyRequestedFor(urlPathEqualTo("/orders")))) {
            keys.add(r.getHeader(KEY));
        }
        return keys;
    }

    @Test
    void everyAttemptOfOneMessageCarriesTheSameKey() throws Exception {
        stubSequence(503, 500, 409, 201);
        ctx = startOrdersRoute();

        Exchange out = send("{\"order\":1}");

        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        List<String> keys = sentKeys();
        assertThat(keys).hasSize(4).doesNotContainNull();
        assertThat(new HashSet<>(keys)).hasSize(1);
        // the message key (a name-based UUID) and the call's tag
        assertThat(keys.get(0)).matches("[0-9a-f-]{36}:[0-9a-f]{12}");
        assertThat(UUID.fromString(keys.get(0).substring(0, 36))).isNotNull();
    }

    @Test
    void aHundredMessagesCarryAHundredDistinctKeys() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(201)));
        ctx = startOrdersRoute();

        for (int i = 0; i < 100; i++) {
            send("{\"order\":" + i + "}");
        }

        List<String> keys = sentKeys();
        assertThat(keys).hasSize(100).doesNotContainNull();
        assertThat(new HashSet<>(keys)).hasSize(100);
    }

    @Test
    void theKeySurvivesARestart() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(201)));
        ctx = startOrdersRoute();
        send("{\"order\":7}");
        ctx.stop();

        // a new process reads the same message again
        ctx = startOrdersRoute();
        send("{\"order\":7}");
        send("{\"order\":8}");

        List<String> keys = sentKeys();
        assertThat(keys).hasSize(3);
        assertThat(keys.get(1)).isEqualTo(keys.get(0));
        assertThat(keys.get(2)).isNotEqualTo(keys.get(0));
    }

    @Test
    void theKeySurvivesAReplayOfTheParkedMessage() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/orders")).inScenario("outage").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)));
        ctx = contexts.start(TestContexts.scaled("selfheal.defaults.max-attempts", "3"), new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:send").routeId("orders-out").routeConfigurationId("self-healing").to(orders("POST"));
                // a replay may enter another route (a named endpoint): the stored header decides, not the route id
                from("direct:replay").routeId("replay-entry").routeConfigurationId("self-healing").to(orders("POST"));
            }
        });
        Exchange gaveUp = send("{\"order\":9}");
        assertThat(gaveUp.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        String key = gaveUp.getMessage().getHeader(KEY, String.class);
        assertThat(key).isNotNull();
        // the record keeps the message key; the key sent is the message key's for this call
        String messageKey = gaveUp.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class).idempotencyKey();
        assertThat(key).startsWith(messageKey + ":");
        // what a parked store keeps: the body, the headers and the message key as Idempotency-Key
        String body = gaveUp.getMessage().getBody(String.class);
        Map<String, Object> headers = new HashMap<>(gaveUp.getMessage().getHeaders());
        headers.put(KEY, messageKey);

        wm.stubFor(post(urlPathEqualTo("/orders")).inScenario("outage").whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(201)));
        wm.setScenarioState("outage", "recovered");
        ctx.stop();
        ctx.start();
        Exchange replayed = ctx.createProducerTemplate().send("direct:replay", e -> {
            e.getIn().setHeaders(new HashMap<>(headers));
            e.getIn().setBody(body);
        });

        assertThat(replayed.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        List<String> keys = sentKeys();
        assertThat(keys).hasSize(4);
        assertThat(new HashSet<>(keys)).containsExactly(key);
    }

    @Test
    void aBusinessKeyFromTheRouteDecidesTheKey() throws Exception {
        stubSequence(503, 201);
        ctx = contexts.start(TestContexts.SCALED, new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:send").routeId("orders-out").routeConfigurationId("self-healing")
                        .setProperty(SelfhealProperties.IDEMPOTENCY_KEY, simple("order-${header.orderId}"))
                        .to(orders("POST"));
            }
        });
        ctx.createProducerTemplate().sendBodyAndHeader("direct:send", "{\"v\":1}", "orderId", "42");
        // the same order with another payload (a later version of it) keeps the business key
        ctx.createProducerTemplate().sendBodyAndHeader("direct:send", "{\"v\":2}", "orderId", "42");

        List<String> keys = sentKeys();
        assertThat(keys).hasSize(3);
        assertThat(new HashSet<>(keys)).hasSize(1);
        assertThat(keys.get(0)).startsWith("order-42:");
    }

    /** PUT /orders/1, PATCH /orders/1, DELETE /orders/1/hold: one message, three call sites. */
    private RouteBuilder threeCalls(boolean businessKey) {
        String base = "http://127.0.0.1:" + wm.getPort();
        return new RouteBuilder() {
            @Override
            public void configure() {
                var route = from("direct:send").routeId("order-flow").routeConfigurationId("self-healing");
                if (businessKey) {
                    route.setProperty(SelfhealProperties.IDEMPOTENCY_KEY, simple("order-${header.orderId}"));
                }
                route.setHeader(Exchange.HTTP_METHOD, constant("PUT")).to(base + "/orders/1?connectTimeout=2000")
                        .setHeader(Exchange.HTTP_METHOD, constant("PATCH")).to(base + "/orders/1?responseTimeout=3000")
                        .setHeader(Exchange.HTTP_METHOD, constant("DELETE")).to(base + "/orders/1/hold");
            }
        };
    }

    /** The PUT and the PATCH fail once each, then succeed; the DELETE succeeds. */
    private void stubThreeCalls() {
        wm.resetScenarios();
        for (String method : List.of("PUT", "PATCH")) {
            wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.request(method, urlPathEqualTo("/orders/1"))
                    .inScenario(method).whenScenarioStateIs(STARTED)
                    .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
            wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.request(method, urlPathEqualTo("/orders/1"))
                    .inScenario(method).whenScenarioStateIs("up")
                    .willReturn(aResponse().withStatus(200).withBody("{\"done\":\"" + method + "\"}")));
        }
        wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.delete(urlPathEqualTo("/orders/1/hold"))
                .willReturn(aResponse().withStatus(204)));
    }

    /** The keys the server saw, by method and path, in the order of the journal. */
    private Map<String, List<String>> keysByCall() {
        Map<String, List<String>> byCall = new java.util.TreeMap<>();
        List<LoggedRequest> requests = new ArrayList<>(wm.findAll(anyRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching("/orders/1.*"))));
        for (LoggedRequest r : requests) {
            byCall.computeIfAbsent(r.getMethod().getName() + " " + r.getUrl().replaceAll("\\?.*", ""),
                    k -> new ArrayList<>()).add(r.getHeader(KEY));
        }
        return byCall;
    }

    @Test
    void twoDifferentMutatingCallsOfOneMessageCarryTwoKeysEachStableAcrossRetriesAndARestart() throws Exception {
        stubThreeCalls();
        ctx = contexts.start(TestContexts.SCALED, threeCalls(false));
        assertThat(send("{\"order\":1}").getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        ctx.stop();
        // a new process reads the same message again, and the server fails the same way
        stubThreeCalls();
        ctx = contexts.start(TestContexts.SCALED, threeCalls(false));
        assertThat(send("{\"order\":1}").getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();

        Map<String, List<String>> byCall = keysByCall();
        assertThat(byCall).containsOnlyKeys("PUT /orders/1", "PATCH /orders/1", "DELETE /orders/1/hold");
        // two attempts per run for the PUT and the PATCH, one for the DELETE; each call's key on every one of them
        assertThat(byCall.get("PUT /orders/1")).hasSize(4);
        assertThat(byCall.get("PATCH /orders/1")).hasSize(4);
        assertThat(byCall.get("DELETE /orders/1/hold")).hasSize(2);
        Set<String> perCall = new HashSet<>();
        byCall.forEach((call, keys) -> {
            assertThat(keys).as(call).doesNotContainNull();
            assertThat(new HashSet<>(keys)).as(call).hasSize(1);
            perCall.add(keys.get(0));
        });
        assertThat(perCall).hasSize(3);
        // one message: the three keys share its message key
        assertThat(perCall.stream().map(k -> k.substring(0, k.lastIndexOf(':'))).distinct()).hasSize(1);
    }

    @Test
    void twoCallsWithOneBusinessKeyAreToldApartByTheirCallSite() throws Exception {
        stubThreeCalls();
        ctx = contexts.start(TestContexts.SCALED, threeCalls(true));
        ctx.createProducerTemplate().sendBodyAndHeader("direct:send", "{\"v\":1}", "orderId", "42");
        ctx.stop();
        stubThreeCalls();
        ctx = contexts.start(TestContexts.SCALED, threeCalls(true));
        ctx.createProducerTemplate().sendBodyAndHeader("direct:send", "{\"v\":1}", "orderId", "42");

        Map<String, List<String>> byCall = keysByCall();
        Set<String> perCall = new HashSet<>();
        byCall.forEach((call, keys) -> {
            assertThat(new HashSet<>(keys)).as(call).hasSize(1);
            assertThat(keys.get(0)).as(call).startsWith("order-42:");
            perCall.add(keys.get(0));
        });
        assertThat(perCall).hasSize(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PUT", "PATCH", "DELETE"})
    void everyMutatingMethodCarriesAKey(String method) throws Exception {
        wm.stubFor(any(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(200)));
        ctx = contexts.start(TestContexts.SCALED, new RouteBuilder() {
            @Override
            public void configure() {
                // the method from the header, as many routes set it
                from("direct:send").routeId("orders-out").routeConfigurationId("self-healing")
                        .setHeader(Exchange.HTTP_METHOD, constant(method))
                        .to("http://127.0.0.1:" + wm.getPort() + "/orders");
            }
        });
        send("{\"order\":1}");
        List<LoggedRequest> requests = wm.findAll(anyRequestedFor(urlPathEqualTo("/orders")));
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).getMethod().getName()).isEqualTo(method);
        assertThat(requests.get(0).getHeader(KEY)).isNotBlank();
    }

    @Test
    void safeMethodsAndRoutesWithoutSelfHealingCarryNoKey() throws Exception {
        wm.stubFor(any(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(200)));
        ctx = contexts.start(TestContexts.SCALED, new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:get").routeId("reader").routeConfigurationId("self-healing").to(orders("GET"));
                from("direct:plain").routeId("plain").to(orders("POST"));
            }
        });
        ctx.createProducerTemplate().sendBody("direct:get", null);
        ctx.createProducerTemplate().sendBody("direct:plain", "{\"order\":1}");

        List<LoggedRequest> requests = wm.findAll(anyRequestedFor(urlPathEqualTo("/orders")));
        assertThat(requests).hasSize(2);
        assertThat(requests).allSatisfy(r -> assertThat(r.containsHeader(KEY)).isFalse());
    }

    @Test
    void theItemsOfASplitMessageGetDistinctKeysThatSurviveARestart() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(201)));
        java.util.function.Supplier<RouteBuilder> splitter = () -> new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:send").routeId("batch").routeConfigurationId("self-healing")
                        .split(body().tokenize(","))
                            .to(orders("POST"));
            }
        };
        ctx = contexts.start(TestContexts.SCALED, splitter.get());
        send("a,b,c");
        ctx.stop();
        ctx = contexts.start(TestContexts.SCALED, splitter.get());
        send("a,b,c");

        List<String> keys = sentKeys();
        assertThat(keys).hasSize(6).doesNotContainNull();
        assertThat(new HashSet<>(keys.subList(0, 3))).hasSize(3);
        assertThat(keys.subList(3, 6)).isEqualTo(keys.subList(0, 3));
    }

    @Test
    void filesAreKeyedByTheirContentReadAsAStream() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(201)));
        java.nio.file.Path inbox = java.nio.file.Path.of("target", "idem-inbox-" + UUID.randomUUID());
        java.nio.file.Files.createDirectories(inbox);
        java.util.function.Supplier<RouteBuilder> fromFiles = () -> new RouteBuilder() {
            @Override
            public void configure() {
                from("file:" + inbox + "?noop=true&idempotent=false&initialDelay=0&delay=50")
                        .routeId("inbox").routeConfigurationId("self-healing")
                        .to(orders("POST"));
            }
        };
        String large = "{\"order\":\"a\"}".repeat(20_000);
        java.nio.file.Files.writeString(inbox.resolve("a.json"), large);
        java.nio.file.Files.writeString(inbox.resolve("b.json"), "{\"order\":\"b\"}");
        ctx = contexts.start(TestContexts.SCALED, fromFiles.get());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> sentKeys().size() >= 2);
        ctx.stop();
        List<String> firstRun = new ArrayList<>(sentKeys().subList(0, 2));
        wm.resetRequests();
        // a restart reads the same files again
        ctx = contexts.start(TestContexts.SCALED, fromFiles.get());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> sentKeys().size() >= 2);
        ctx.stop();

        assertThat(new HashSet<>(firstRun)).hasSize(2).doesNotContainNull();
        assertThat(new HashSet<>(sentKeys().subList(0, 2))).isEqualTo(new HashSet<>(firstRun));
        // the body still reached the server whole after being hashed
        assertThat(wm.findAll(postRequestedFor(urlPathEqualTo("/orders"))).stream()
                .mapToInt(r -> r.getBody().length).max().orElse(0)).isEqualTo(large.length());
    }

    @Test
    void conflict409IsRetriedWithTheSameKey() throws Exception {
        stubSequence(409, 201);
        ctx = startOrdersRoute();

        Exchange out = send("{\"order\":1}");

        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("TRANSIENT");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        wm.verify(2, postRequestedFor(urlPathEqualTo("/orders")));
        List<String> keys = sentKeys();
        assertThat(keys).hasSize(2);
        assertThat(keys.get(1)).isEqualTo(keys.get(0));
    }

    @Test
    void unprocessable422IsNotRetried() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(422)
                .withBody("{\"error\":\"Idempotency-Key reused with another payload\"}")));
        ctx = startOrdersRoute();

        Exchange out = send("{\"order\":1}");

        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(1);
        assertThat(sentKeys()).hasSize(1);
    }

    @Test
    void anEmptyBodyTakesItsKeyFromTheBodyAtTheCall() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(201)));
        ctx = contexts.start(TestContexts.SCALED, new RouteBuilder() {
            @Override
            public void configure() {
                // a timer-like source: no body on entry, the payload is built in the route
                from("direct:tick").routeId("ticker").routeConfigurationId("self-healing")
                        .setBody(simple("{\"tick\":${header.n}}"))
                        .to(orders("POST"));
            }
        });
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            ctx.createProducerTemplate().sendBodyAndHeader("direct:tick", null, "n", i);
        }
        keys.addAll(sentKeys());
        assertThat(keys).hasSize(3).doesNotContainNull();
    }
}
