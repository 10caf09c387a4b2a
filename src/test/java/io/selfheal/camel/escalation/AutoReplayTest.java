package io.selfheal.camel.escalation;

import io.selfheal.testing.CallKeys;
import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.selfheal.escalation.ParkedStatus;
import io.selfheal.escalation.ParkedStore;
import io.selfheal.retry.GiveUpReason;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay side of automatic replay on recovery (the breaker side calls it when a breaker closes): an upstream's
 * parked messages given up for the configured reasons are replayed at a bounded rate; other reasons and other
 * upstreams are left alone.
 */
class AutoReplayTest {
    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    @BeforeEach
    void start() throws Exception {
        Map<String, String> props = TestContexts.scaled(EscalationTests.h2Store(),
                "selfheal.defaults.max-attempts", "50", "selfheal.defaults.initial-delay", "20ms",
                "selfheal.defaults.multiplier", "1", "selfheal.defaults.jitter", "0",
                "selfheal.defaults.max-duration", "200ms", "selfheal.parked.replay-poll-interval", "0s");
        ctx = contexts.start(props, new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:inventory").routeId("inventory-calls").routeConfigurationId("self-healing")
                        .setProperty("SelfhealUpstream", constant("inventory"))
                        .toD("http://127.0.0.1:" + upstream.getPort() + "/${header.path}?httpMethod=POST");
                from("direct:billing").routeId("billing-calls").routeConfigurationId("self-healing")
                        .setProperty("SelfhealUpstream", constant("billing"))
                        .to("http://127.0.0.1:" + upstream.getPort() + "/billing?httpMethod=POST");
            }
        });
    }

    private long send(String endpoint, String path, String key) {
        return ctx.createProducerTemplate().request(endpoint, e -> {
            e.getIn().setHeader("path", path);
            e.getIn().setHeader("Idempotency-Key", key);
            e.getIn().setBody(key);
        }).getProperty(Escalator.PARKED_ID, Long.class);
    }

    @Test
    void anUpstreamsParkedMessagesAreReplayedAtABoundedRateWhenItRecovers() throws Exception {
        // an outage: three calls run out of time (DURATION), one is refused for good (PERMANENT)
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(503)));
        upstream.stubFor(post(urlPathEqualTo("/billing")).willReturn(aResponse().withStatus(503)));
        upstream.stubFor(post(urlPathEqualTo("/bad")).willReturn(aResponse().withStatus(400)));
        List<Long> outage = List.of(send("direct:inventory", "orders", "k1"), send("direct:inventory", "orders", "k2"),
                send("direct:inventory", "orders", "k3"));
        long permanent = send("direct:inventory", "bad", "k-bad");
        long billing = send("direct:billing", null, "k-billing");
        ParkedStore store = EscalationServices.of(ctx).store();
        for (long id : outage) {
            assertThat(store.find(id).orElseThrow().giveUpReason()).isEqualTo("DURATION");
        }

        // the upstream recovers
        upstream.resetAll();
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(200)));
        upstream.stubFor(post(urlPathEqualTo("/billing")).willReturn(aResponse().withStatus(200)));
        double rate = 5.0;
        java.time.Instant asked = java.time.Instant.now();
        List<ReplayResult> results = ParkedReplayService.of(ctx)
                .replayParkedFor("inventory", Set.of(GiveUpReason.DURATION, GiveUpReason.BREAKER_OPEN), rate)
                .get(30, TimeUnit.SECONDS);

        assertThat(results).extracting(ReplayResult::id).containsExactlyElementsOf(outage);
        assertThat(results).allMatch(r -> r.outcome() == ReplayResult.Outcome.REPLAYED);
        for (long id : outage) {
            assertThat(store.find(id).orElseThrow().status()).isEqualTo(ParkedStatus.REPLAYED);
        }
        assertThat(store.find(permanent).orElseThrow().status()).isEqualTo(ParkedStatus.PARKED);
        assertThat(store.find(billing).orElseThrow().status()).isEqualTo(ParkedStatus.PARKED);

        List<LoggedRequest> calls = upstream.findAll(postRequestedFor(urlPathEqualTo("/orders")));
        assertThat(calls).extracting(r -> r.getHeader("Idempotency-Key"))
                .containsExactly(CallKeys.of("k1", calls.get(0)), CallKeys.of("k2", calls.get(1)), CallKeys.of("k3", calls.get(2)));
        // the rate bound: at 5/s the n-th replay starts no earlier than n × 200ms after the call (WireMock logs at ms
        // precision, hence 1ms of slack)
        for (int n = 1; n < calls.size(); n++) {
            assertThat(calls.get(n).getLoggedDate().toInstant())
                    .isAfterOrEqualTo(asked.plus(Duration.ofMillis(n * 200L - 1)));
        }

        // the hook the breakers call uses the configured reasons and rate (DURATION is among the defaults)
        List<ReplayResult> billingResults = ParkedReplayService.of(ctx).onUpstreamRecovered("billing").get(30, TimeUnit.SECONDS);
        assertThat(billingResults).extracting(ReplayResult::outcome).containsExactly(ReplayResult.Outcome.REPLAYED);
        assertThat(store.find(billing).orElseThrow().status()).isEqualTo(ParkedStatus.REPLAYED);
        assertThat(ParkedReplayService.of(ctx).onUpstreamRecovered("billing").get(5, TimeUnit.SECONDS)).isEmpty();
    }
}
