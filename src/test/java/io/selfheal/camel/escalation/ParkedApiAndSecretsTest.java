package io.selfheal.camel.escalation;

import io.selfheal.camel.Selfheal;
import io.selfheal.camel.SelfhealMain;
import io.selfheal.testing.CallKeys;
import io.selfheal.testing.LogCapture;
import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.selfheal.escalation.ParkedStatus;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The parked HTTP API, served by the jar's own camel-main HTTP server: 401 without a token or with a wrong one; list,
 * show, replay and discard with it. And secrets carried in headers and in the endpoint URL never appear in the log,
 * in the alerts or in the parked views.
 */
class ParkedApiAndSecretsTest {
    static final String TOKEN = "test-token-" + UUID.randomUUID();
    static final List<String> SECRETS = List.of("SECRET-URL-KEY", "SECRET-BEARER", "SECRET-COOKIE", "SECRET-HEADER-KEY",
            "SECRET-PASSWORD", "SECRET-CUSTOM");

    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    @RegisterExtension
    final WireMockExtension hook = TestContexts.localWireMock();
    private Main main;
    private CamelContext ctx;
    private int apiPort;
    private final HttpClient http = HttpClient.newHttpClient();
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path routesDir;

    @BeforeEach
    void start() throws Exception {
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(503)
                .withBody("denied for token=SECRET-PASSWORD")));
        hook.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        apiPort = EscalationTests.freePort();

        main = SelfhealMain.create();
        Map<String, String> props = TestContexts.scaled(EscalationTests.h2Store(),
                "camel.server.enabled", "true", "camel.server.port", String.valueOf(apiPort),
                "camel.server.host", "127.0.0.1",
                "camel.main.routes-include-pattern", "file:" + routesDir + "/*.yaml",
                "selfheal.parked.api-token", TOKEN,
                "selfheal.parked.sensitive-headers", "X-Custom-Secret",
                "selfheal.defaults.max-attempts", "2",
                "selfheal.parked.max-body-size", "4KB",
                "selfheal.alert.sinks", "log,webhook",
                "selfheal.alert.webhook.url", "http://127.0.0.1:" + hook.getPort() + "/hook");
        props.forEach(main::addOverrideProperty);
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:order").routeId("orders").routeConfigurationId("self-healing")
                        .setProperty("SelfhealUpstream", constant("inventory"))
                        .to("http://127.0.0.1:" + upstream.getPort() + "/orders?httpMethod=POST&apiKey=SECRET-URL-KEY");
            }
        });
        main.start();
        ctx = main.getCamelContext();
    }

    @AfterEach
    void stop() {
        if (main != null) {
            main.stop();
        }
    }

    private long order(String id) {
        return send(id, "order " + id).getProperty(Escalator.PARKED_ID, Long.class);
    }

    private Exchange send(String id, String body) {
        return ctx.createProducerTemplate().request("direct:order", e -> {
            e.getIn().setHeader("Idempotency-Key", "idem-" + id);
            e.getIn().setHeader("Authorization", "Bearer SECRET-BEARER");
            e.getIn().setHeader("Cookie", "session=SECRET-COOKIE");
            e.getIn().setHeader("X-Api-Key", "SECRET-HEADER-KEY");
            e.getIn().setHeader("X-Custom-Secret", "SECRET-CUSTOM");
            e.getIn().setHeader("orderId", id);
            e.getIn().setBody(body);
        });
    }

    private HttpResponse<String> call(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                .timeout(Duration.ofSeconds(60)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> authorized(String method, String path) throws Exception {
        return call(method, path, "Authorization", "Bearer " + TOKEN);
    }

    @Test
    void theApiNeedsTheTokenAndServesListShowReplayDiscard() throws Exception {
        long id = order("1");
        long other = order("2");

        // no token, a wrong token (both header forms), a token in the wrong scheme: 401, and no data
        for (HttpResponse<String> r : List.of(
                call("GET", "/selfheal/parked"),
                call("GET", "/selfheal/parked", "Authorization", "Bearer wrong-" + TOKEN),
                call("GET", "/selfheal/parked", "X-Selfheal-Token", TOKEN + "x"),
                call("GET", "/selfheal/parked/" + id, "Authorization", "Basic " + TOKEN),
                call("POST", "/selfheal/parked/" + id + "/replay"),
                call("POST", "/selfheal/parked/" + id + "/discard?reason=x", "Authorization", "Bearer nope"))) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).doesNotContain("inventory").doesNotContain("order");
        }
        assertThat(store().find(id).orElseThrow().status()).isEqualTo(ParkedStatus.PARKED);

        HttpResponse<String> list = authorized("GET", "/selfheal/parked?status=PARKED");
        assertThat(list.statusCode()).isEqualTo(200);
        JsonArray rows = (JsonArray) Jsoner.deserialize(list.body());
        assertThat(rows).hasSize(2);
        assertThat(call("GET", "/selfheal/parked", "X-Selfheal-Token", TOKEN).statusCode()).isEqualTo(200);

        HttpResponse<String> show = authorized("GET", "/selfheal/parked/" + id);
        assertThat(show.statusCode()).isEqualTo(200);
        JsonObject detail = (JsonObject) Jsoner.deserialize(show.body());
        JsonObject headers = (JsonObject) detail.get("headers");
        assertThat(headers.getString("Authorization")).isEqualTo("***");
        assertThat(headers.getString("X-Custom-Secret")).isEqualTo("***");
        assertThat(headers.getString("orderId")).isEqualTo("1");
        assertThat(detail.getString("bodyPreview")).isEqualTo("order 1");
        assertThat(authorized("GET", "/selfheal/parked/999999").statusCode()).isEqualTo(404);
        assertThat(authorized("GET", "/selfheal/parked/abc").statusCode()).isEqualTo(400);

        // replay: delivered, REPLAYED, the same Idempotency-Key at the upstream
        upstream.resetMappings();
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(200)));
        upstream.resetRequests();
        HttpResponse<String> replay = authorized("POST", "/selfheal/parked/" + id + "/replay?maxAttempts=4");
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(((JsonObject) Jsoner.deserialize(replay.body())).getString("outcome")).isEqualTo("REPLAYED");
        assertThat(store().find(id).orElseThrow().status()).isEqualTo(ParkedStatus.REPLAYED);
        List<LoggedRequest> seen = upstream.findAll(postRequestedFor(urlPathEqualTo("/orders")));
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).getHeader("Idempotency-Key")).isEqualTo(CallKeys.of("idem-1", seen.get(0)));
        // redacted headers are not re-sent as "***"
        assertThat(seen.get(0).containsHeader("Authorization")).isFalse();
        assertThat(authorized("POST", "/selfheal/parked/" + id + "/replay").statusCode()).isEqualTo(409);

        // discard: a reason is required
        assertThat(authorized("POST", "/selfheal/parked/" + other + "/discard").statusCode()).isEqualTo(400);
        HttpResponse<String> discard = authorized("POST", "/selfheal/parked/" + other + "/discard?reason=duplicate%20order&by=carol");
        assertThat(discard.statusCode()).isEqualTo(200);
        assertThat(store().find(other).orElseThrow().status()).isEqualTo(ParkedStatus.DISCARDED);
        assertThat(store().find(other).orElseThrow().discardReason()).isEqualTo("duplicate order");
        assertThat(store().find(other).orElseThrow().discardedBy()).isEqualTo("carol");
        assertThat(authorized("POST", "/selfheal/parked/" + other + "/discard?reason=again").statusCode()).isEqualTo(409);
    }

    @Test
    void secretsInHeadersAndUrlsNeverAppearInLogsAlertsOrParkedViews() throws Exception {
        List<String> seenByPeople = new ArrayList<>();
        long id;
        try (LogCapture log = LogCapture.install()) {
            id = order("3");
            await().atMost(Duration.ofSeconds(10)).until(() -> !hook.findAll(postRequestedFor(urlPathEqualTo("/hook"))).isEmpty()
                    && log.linesOf("io.selfheal.alert").size() >= 1);
            // a parking failure (a body above the limit) makes Camel log the failure itself: that must be clean too
            Exchange refused = send("4", "x".repeat(5000));
            assertThat(refused.getException()).isNotNull();
            assertThat(log.all()).contains("FatalFallbackErrorHandler");
            seenByPeople.add(log.all());
        }
        hook.findAll(postRequestedFor(urlPathEqualTo("/hook"))).forEach(r -> seenByPeople.add(r.getBodyAsString()));
        seenByPeople.add(authorized("GET", "/selfheal/parked/" + id).body());
        seenByPeople.add(authorized("GET", "/selfheal/parked").body());
        seenByPeople.add(ParkedViews.show(store().find(id).orElseThrow(), store().config().redactor()));

        // the upstream did get the real values (the secrets were real), and each view says what it hid
        assertThat(upstream.findAll(postRequestedFor(urlPathEqualTo("/orders"))).get(0).getHeader("Authorization"))
                .isEqualTo("Bearer SECRET-BEARER");
        assertThat(seenByPeople.get(0)).contains("apiKey=***");
        assertThat(seenByPeople.get(seenByPeople.size() - 1)).contains("Authorization: ***").contains("X-Api-Key: ***")
                .contains("Cookie: ***").contains("apiKey=***");
        for (String text : seenByPeople) {
            for (String secret : SECRETS) {
                assertThat(text).as("a view shows " + secret).doesNotContain(secret);
            }
        }
    }

    private io.selfheal.escalation.ParkedStore store() {
        return EscalationServices.of(ctx).store();
    }
}
