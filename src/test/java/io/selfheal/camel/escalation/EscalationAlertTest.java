package io.selfheal.camel.escalation;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.LogCapture;
import io.selfheal.testing.MutableClock;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStatus;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A permanent failure and an exhausted transient one each make one alert with every field, in the log and at a
 * webhook; 50 give-ups of one kind in a window make one grouped alert with count 50.
 */
class EscalationAlertTest {
    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    @RegisterExtension
    final WireMockExtension hook = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    @BeforeEach
    void start() {
        upstream.stubFor(post(urlPathEqualTo("/perm")).willReturn(aResponse().withStatus(400).withBody("bad order")));
        upstream.stubFor(post(urlPathEqualTo("/trans")).willReturn(aResponse().withStatus(503).withBody("busy")));
        hook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
    }

    private void startRoutes(Clock clock, String... extra) throws Exception {
        Map<String, String> props = TestContexts.scaled(EscalationTests.h2Store(), "selfheal.defaults.max-attempts", "3",
                "selfheal.alert.sinks", "log,webhook", "selfheal.alert.webhook.url", "http://127.0.0.1:" + hook.getPort() + "/hook",
                "selfheal.alert.group-window", "1m");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        ctx = contexts.start(props, clock, new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:order").routeId("orders").routeConfigurationId("self-healing")
                        .setProperty("SelfhealUpstream", constant("inventory"))
                        .toD("http://127.0.0.1:" + upstream.getPort() + "/${header.path}?httpMethod=POST&connectTimeout=2000");
            }
        });
    }

    private Exchange send(String path, String key, String body) {
        return ctx.createProducerTemplate().request("direct:order", e -> {
            e.getIn().setHeader("path", path);
            e.getIn().setHeader("Idempotency-Key", key);
            e.getIn().setBody(body);
        });
    }

    private List<JsonObject> hookAlerts() {
        return hook.findAll(postRequestedFor(urlEqualTo("/hook"))).stream()
                .map(r -> (JsonObject) Jsoner.deserialize(r.getBodyAsString(), new JsonObject())).toList();
    }

    @Test
    @SuppressWarnings("unchecked")
    void permanentAndExhaustedTransientFailuresEachMakeOneAlertWithEveryField() throws Exception {
        try (LogCapture log = LogCapture.install()) {
            startRoutes(Clock.systemUTC());
            Exchange perm = send("perm", "key-perm-1", "order-1");
            Exchange trans = send("trans", "key-trans-1", "order-2");
            assertThat(perm.getException()).isNull();
            assertThat(trans.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");

            await().atMost(Duration.ofSeconds(10)).until(() -> hookAlerts().size() == 2);
            JsonObject p = hookAlerts().stream().filter(a -> "PERMANENT".equals(a.getString("giveUpReason"))).findFirst().orElseThrow();
            JsonObject t = hookAlerts().stream().filter(a -> "ATTEMPTS".equals(a.getString("giveUpReason"))).findFirst().orElseThrow();

            assertEveryField(p, "PERMANENT", "PERMANENT", 1, "key-perm-1", "HTTP 400");
            assertEveryField(t, "TRANSIENT", "ATTEMPTS", 3, "key-trans-1", "HTTP 503");
            assertThat(p.getString("text")).contains("failed on the first attempt with HTTP 400 from inventory")
                    .contains("not retried: the failure is permanent").contains("parked as #");
            assertThat(t.getString("text")).contains("tried 3 times over").contains("all attempts returned HTTP 503 from inventory")
                    .contains("gave up: max attempts reached");
            assertThat((List<Object>) t.getCollection("outcomes")).containsExactly("HTTP 503", "HTTP 503", "HTTP 503");

            // the log sink: one ERROR line per alert with the same JSON
            await().atMost(Duration.ofSeconds(5)).until(() -> log.linesOf("io.selfheal.alert").size() >= 2);
            List<String> alertLines = log.linesOf("io.selfheal.alert");
            assertThat(alertLines).hasSize(2).allMatch(l -> l.startsWith("ERROR"));
            for (String key : List.of("key-perm-1", "key-trans-1")) {
                String line = alertLines.stream().filter(l -> l.contains(key)).findFirst().orElseThrow();
                JsonObject json = (JsonObject) Jsoner.deserialize(line.substring(line.indexOf(" | {") + 3), new JsonObject());
                assertThat(json.getString("idempotencyKey")).isEqualTo(key);
                for (String field : List.of("failureClass", "giveUpReason", "attempts", "elapsedMillis", "firstFailureAt",
                        "lastFailureAt", "upstream", "routeId", "exchangeId", "errorSample", "count", "parkedId")) {
                    assertThat(json.get(field)).as(field).isNotNull();
                }
            }

            // both were parked before the exchanges completed
            EscalationServices esc = EscalationServices.of(ctx);
            List<ParkedMessage> parked = esc.store().list(ParkedStatus.PARKED, "inventory", 10);
            assertThat(parked).extracting(ParkedMessage::idempotencyKey).containsExactlyInAnyOrder("key-perm-1", "key-trans-1");
            assertThat(perm.getProperty(Escalator.PARKED_ID, Long.class)).isEqualTo(p.getLong("parkedId"));
        }
    }

    private static void assertEveryField(JsonObject a, String failureClass, String reason, int attempts, String key,
                                         String outcome) {
        assertThat(a.getString("failureClass")).isEqualTo(failureClass);
        assertThat(a.getString("giveUpReason")).isEqualTo(reason);
        assertThat(a.getInteger("attempts")).isEqualTo(attempts);
        assertThat(a.getLong("elapsedMillis")).isGreaterThanOrEqualTo(0L);
        assertThat(a.getString("elapsed")).isNotBlank();
        Instant first = Instant.parse(a.getString("firstFailureAt"));
        Instant last = Instant.parse(a.getString("lastFailureAt"));
        assertThat(last).isAfterOrEqualTo(first);
        assertThat(a.getString("upstream")).isEqualTo("inventory");
        assertThat(a.getString("routeId")).isEqualTo("orders");
        assertThat(a.getString("exchangeId")).isNotBlank();
        assertThat(a.getString("idempotencyKey")).isEqualTo(key);
        assertThat(a.getString("endpoint")).contains("127.0.0.1");
        assertThat(a.getString("errorSample")).contains(outcome);
        assertThat(a.getString("summary")).isNotBlank();
        assertThat(a.getString("text")).startsWith("[selfheal] route orders ");
        assertThat(a.getInteger("count")).isEqualTo(1);
        assertThat(a.getBoolean("grouped")).isFalse();
        assertThat(a.getLong("parkedId")).isNotNull();
    }

    @Test
    void fiftyGiveUpsInOneWindowMakeOneGroupedAlertWithCountFifty() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        startRoutes(clock, "selfheal.alert.group-window", "5m");
        for (int i = 0; i < 50; i++) {
            send("perm", "key-" + i, "order-" + i);
        }
        // the first give-up is alerted at once; the other 49 are only counted while the window is open
        await().atMost(Duration.ofSeconds(5)).until(() -> hookAlerts().size() == 1);
        assertThat(hookAlerts().get(0).getInteger("count")).isEqualTo(1);

        clock.advance(Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> hookAlerts().size() == 2);
        JsonObject grouped = hookAlerts().get(1);
        assertThat(grouped.getBoolean("grouped")).isTrue();
        assertThat(grouped.getInteger("count")).isEqualTo(50);
        assertThat(grouped.getString("idempotencyKey")).isEqualTo("key-49");
        assertThat(grouped.getString("text")).startsWith("[selfheal] 50 give-ups for inventory (PERMANENT, PERMANENT)");
        assertThat(EscalationServices.of(ctx).store().list(ParkedStatus.PARKED, null, 100)).hasSize(50);

        // the next window had no give-ups: nothing more is sent, and the group closes
        clock.advance(Duration.ofMinutes(5));
        send("perm", "key-after", "order-after");
        await().atMost(Duration.ofSeconds(5)).until(() -> hookAlerts().size() == 3);
        assertThat(hookAlerts().get(2).getInteger("count")).isEqualTo(1);
        assertThat(hookAlerts().get(2).getBoolean("grouped")).isFalse();
    }
}
