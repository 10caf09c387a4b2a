package io.selfheal.camel.escalation;

import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Alerts at a real Prometheus Alertmanager (Debian package prometheus-alertmanager, started here on a free port with
 * its own config and storage): a permanent and an exhausted transient give-up each appear as one alert with the
 * labels upstream, route, reason, class and every field in the annotations.
 */
class AlertmanagerSinkTest {
    static final Path ALERTMANAGER = Path.of("/usr/bin/prometheus-alertmanager");

    @TempDir
    Path dir;
    private Process alertmanager;
    private int amPort;
    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        assertThat(ALERTMANAGER).as("install it: apt-get install prometheus-alertmanager").isExecutable();
        Files.writeString(dir.resolve("alertmanager.yml"), """
                route:
                  receiver: nowhere
                receivers:
                  - name: nowhere
                """);
        amPort = EscalationTests.freePort();
        alertmanager = new ProcessBuilder(ALERTMANAGER.toString(),
                "--config.file=" + dir.resolve("alertmanager.yml"),
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + amPort,
                "--cluster.listen-address=")
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + amPort + "/-/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

        upstream.stubFor(post(urlPathEqualTo("/perm")).willReturn(aResponse().withStatus(422)));
        upstream.stubFor(post(urlPathEqualTo("/trans")).willReturn(aResponse().withStatus(502)));
    }

    @AfterEach
    void stop() throws Exception {
        if (alertmanager != null) {
            alertmanager.destroy();
            alertmanager.waitFor();
        }
    }

    private List<JsonObject> alerts() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + amPort + "/api/v2/alerts")).build(), HttpResponse.BodyHandlers.ofString());
        JsonArray array = (JsonArray) Jsoner.deserialize(r.body());
        return array.stream().map(o -> (JsonObject) o).toList();
    }

    @Test
    void eachGiveUpAppearsInAlertmanagerWithLabelsAndEveryField() throws Exception {
        Map<String, String> props = TestContexts.scaled(EscalationTests.h2Store(), "selfheal.defaults.max-attempts", "3",
                "selfheal.alert.sinks", "alertmanager",
                "selfheal.alert.alertmanager.url", "http://127.0.0.1:" + amPort,
                "selfheal.alert.alertmanager.label.team", "payments");
        ctx = contexts.start(props, new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:pay").routeId("payments").routeConfigurationId("self-healing")
                        .setProperty("SelfhealUpstream", constant("ledger"))
                        .toD("http://127.0.0.1:" + upstream.getPort() + "/${header.path}?httpMethod=POST");
            }
        });
        for (String path : List.of("perm", "trans")) {
            ctx.createProducerTemplate().send("direct:pay", e -> {
                e.getIn().setHeader("path", path);
                e.getIn().setHeader("Idempotency-Key", "pay-" + path);
                e.getIn().setBody("{\"amount\":5}");
            });
        }

        await().atMost(Duration.ofSeconds(15)).until(() -> alerts().size() == 2);
        for (JsonObject a : alerts()) {
            JsonObject labels = (JsonObject) a.get("labels");
            JsonObject ann = (JsonObject) a.get("annotations");
            assertThat(labels.getString("alertname")).isEqualTo("SelfhealGaveUp");
            assertThat(labels.getString("upstream")).isEqualTo("ledger");
            assertThat(labels.getString("route")).isEqualTo("payments");
            assertThat(labels.getString("team")).isEqualTo("payments");
            boolean permanent = labels.getString("reason").equals("PERMANENT");
            assertThat(labels.getString("class")).isEqualTo(permanent ? "PERMANENT" : "TRANSIENT");
            assertThat(labels.getString("reason")).isEqualTo(permanent ? "PERMANENT" : "ATTEMPTS");
            assertThat(ann.getString("summary")).startsWith("[selfheal] route payments ")
                    .contains(permanent ? "HTTP 422 from ledger" : "all attempts returned HTTP 502 from ledger");
            assertThat(ann.getString("attempts")).isEqualTo(permanent ? "1" : "3");
            assertThat(ann.getString("idempotencyKey")).isEqualTo(permanent ? "pay-perm" : "pay-trans");
            assertThat(ann.getString("count")).isEqualTo("1");
            for (String field : List.of("description", "failureClass", "giveUpReason", "elapsedMillis", "firstFailureAt",
                    "lastFailureAt", "upstream", "routeId", "exchangeId", "endpoint", "outcomes", "errorSample", "parkedId")) {
                assertThat(ann.getString(field)).as(field).isNotBlank();
            }
        }
    }
}
