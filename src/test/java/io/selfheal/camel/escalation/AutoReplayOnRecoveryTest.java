package io.selfheal.camel.escalation;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStatus;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 5, automatic replay: an outage opens the upstream's breaker and messages are parked (BREAKER_OPEN); the
 * upstream recovers, the breaker closes on the next call's probe, and the parked messages are delivered without anyone
 * acting, each with its own Idempotency-Key.
 */
class AutoReplayOnRecoveryTest {
    private static final int PARKED = 5;
    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    @Test
    void parkedMessagesAreDeliveredWhenTheBreakerClosesAgain() throws Exception {
        wm.stubFor(post(urlEqualTo("/ledger")).willReturn(aResponse().withStatus(503)));
        ctx = contexts.start(TestContexts.withBreakers(
                "selfheal.defaults.max-attempts", "3",
                "selfheal.breaker.ledger.consecutive-failures", "2",
                "selfheal.breaker.ledger.wait-in-open", "400ms",
                "selfheal.breaker.ledger.wait-in-open-max", "400ms",
                "selfheal.breaker.ledger.permitted-calls-in-half-open", "1",
                "selfheal.upstream.ledger.retry-after-max", "100ms",
                "selfheal.parked.auto-replay.rate", "20"), new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:post").routeId("ledger-post").routeConfigurationId("self-healing")
                        .setProperty(SelfhealProperties.UPSTREAM, constant("ledger"))
                        .to("http://127.0.0.1:" + wm.getPort() + "/ledger?httpMethod=POST");
            }
        });
        ProducerTemplate template = ctx.createProducerTemplate();
        for (int i = 0; i < PARKED; i++) {
            String body = "{\"entry\":" + i + "}";
            template.request("direct:post", e -> e.getIn().setBody(body));
        }
        EscalationServices escalation = EscalationServices.of(ctx);
        List<ParkedMessage> parked = escalation.store().list(ParkedStatus.PARKED, "ledger", 100);
        assertThat(parked).hasSize(PARKED);
        assertThat(parked).extracting(ParkedMessage::giveUpReason).contains("BREAKER_OPEN");

        // the upstream recovers; new traffic's probe closes the breaker, and nobody touches the parked messages
        wm.stubFor(post(urlEqualTo("/ledger")).willReturn(aResponse().withStatus(201)));
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).until(() -> {
            template.request("direct:post", e -> e.getIn().setBody("{\"entry\":\"new\"}"));
            return escalation.store().list(ParkedStatus.REPLAYED, "ledger", 100).size()
                    == parked.stream().filter(m -> isAutoReplayed(m.giveUpReason())).count();
        });
        // each replayed message reached the upstream with its call's key made from the key it was parked with
        String callSite = "http://127.0.0.1:" + wm.getPort() + "/ledger";
        for (ParkedMessage m : parked) {
            if (isAutoReplayed(m.giveUpReason())) {
                wm.verify(postRequestedFor(urlEqualTo("/ledger")).withHeader("Idempotency-Key",
                                equalTo(io.selfheal.idempotency.IdempotencyKeys.forCall(m.idempotencyKey(), "POST", callSite)))
                        .withRequestBody(equalTo(new String(escalation.store().find(m.id()).orElseThrow().body()))));
            }
        }
        Set<String> replayed = escalation.store().list(ParkedStatus.REPLAYED, "ledger", 100).stream()
                .map(ParkedMessage::idempotencyKey).collect(Collectors.toSet());
        assertThat(replayed).hasSize((int) parked.stream().filter(m -> isAutoReplayed(m.giveUpReason())).count());
    }

    /** selfheal.parked.auto-replay.reasons by default. */
    private static boolean isAutoReplayed(String reason) {
        return Set.of("BREAKER_OPEN", "BUDGET_EXHAUSTED", "DURATION", "RETRY_AFTER_BEYOND_CAP").contains(reason);
    }
}
