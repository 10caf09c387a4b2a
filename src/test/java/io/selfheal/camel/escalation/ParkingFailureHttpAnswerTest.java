package io.selfheal.camel.escalation;

import io.selfheal.camel.SelfhealMain;
import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An HTTP source whose message can be neither delivered nor parked must tell its caller so. The route first makes a
 * successful call (which leaves a 200 response-code header on the message), then its second call gives up after a
 * redelivery (connection refused: no response of its own), and parking refuses the body (too large): the caller gets
 * 500, not the stale 200 that told it "accepted" for a message that was then gone.
 */
class ParkingFailureHttpAnswerTest {
    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    private Main main;
    private int port;

    @AfterEach
    void stop() {
        if (main != null) {
            main.stop();
        }
    }

    @Test
    void aMessageThatCouldNotBeParkedIsAnsweredWithAnErrorNotAStale200() throws Exception {
        upstream.stubFor(post(urlPathEqualTo("/login")).willReturn(aResponse().withStatus(200).withBody("welcome")));
        port = EscalationTests.freePort();
        int closed = EscalationTests.freePort();
        main = SelfhealMain.create();
        Map<String, String> props = TestContexts.scaled(EscalationTests.h2Store(),
                "camel.server.enabled", "true", "camel.server.host", "127.0.0.1", "camel.server.port", String.valueOf(port),
                "camel.main.routes-include-pattern", "classpath:no-routes-here/*.yaml",
                "selfheal.defaults.max-attempts", "2",
                "selfheal.parked.max-body-size", "1KB");
        props.forEach(main::addOverrideProperty);
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/in").routeId("in").routeConfigurationId("self-healing")
                        .setProperty("order", bodyAs(String.class))
                        .removeHeaders("CamelHttp*")
                        .to("http://127.0.0.1:" + upstream.getPort() + "/login?httpMethod=POST")
                        .setBody(exchangeProperty("order"))
                        .to("http://127.0.0.1:" + closed + "/orders?httpMethod=POST");
            }
        });
        main.start();

        send("small order");
        assertThat(EscalationServices.of(main.getCamelContext()).store().list(null, null, 10)).hasSize(1);
        HttpResponse<String> tooLarge = send("large order " + "x".repeat(2000));
        assertThat(tooLarge.statusCode()).as("neither delivered nor parked").isEqualTo(500);
        assertThat(EscalationServices.of(main.getCamelContext()).store().list(null, null, 10)).hasSize(1);
    }

    private HttpResponse<String> send(String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/in"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
