package io.selfheal.camel.escalation;

import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.selfheal.escalation.ParkedMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A source that delivers a message again after a crash (it was parked, but not yet acknowledged) makes the message
 * give up twice: it stays one parked record with one alert.
 */
class GiveUpTwiceTest {
    @RegisterExtension
    WireMockExtension upstream = TestContexts.localWireMock();

    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    private List<JsonObject> alerts() {
        return upstream.findAll(postRequestedFor(urlEqualTo("/hook"))).stream()
                .map(r -> (JsonObject) Jsoner.deserialize(r.getBodyAsString(), new JsonObject())).toList();
    }

    private Exchange deliver(String key, String body) {
        return ctx.createProducerTemplate().request("direct:inbox", e -> {
            e.getIn().setHeader("Idempotency-Key", key);
            e.getIn().setBody(body);
        });
    }

    @Test
    void theSameMessageGivenUpTwiceIsOneRecordAndOneAlert() throws Exception {
        upstream.stubFor(post(urlPathEqualTo("/ledger")).willReturn(aResponse().withStatus(400).withBody("refused")));
        upstream.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        String base = "http://127.0.0.1:" + upstream.getPort();
        ctx = contexts.start(TestContexts.scaled("selfheal.alert.sinks", "webhook",
                "selfheal.alert.webhook.url", base + "/hook", "selfheal.alert.group-window", "0s"), new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:inbox").routeId("inbox").routeConfigurationId("self-healing")
                        .setProperty("SelfhealUpstream", constant("ledger"))
                        .to(base + "/ledger?httpMethod=POST");
            }
        });

        long first = deliver("order-1", "order 1").getProperty(Escalator.PARKED_ID, Long.class);
        // delivered again, as a source does after a crash before it forgot the message
        long again = deliver("order-1", "order 1").getProperty(Escalator.PARKED_ID, Long.class);
        assertThat(again).isEqualTo(first);
        // another message: its alert comes after any alert of the second delivery (one queue per sink, in order)
        long other = deliver("order-2", "order 2").getProperty(Escalator.PARKED_ID, Long.class);

        await().atMost(Duration.ofSeconds(10)).until(() -> alerts().stream().anyMatch(a -> a.getLong("parkedId") == other));
        assertThat(EscalationServices.of(ctx).store().list(null, null, 10)).extracting(ParkedMessage::id)
                .containsExactlyInAnyOrder(first, other);
        assertThat(alerts()).extracting(a -> a.getLong("parkedId")).containsExactly(first, other);
    }
}
