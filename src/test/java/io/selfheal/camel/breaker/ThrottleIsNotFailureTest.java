package io.selfheal.camel.breaker;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.selfheal.breaker.AdaptiveSendRate;
import io.selfheal.breaker.RetryBudget;
import io.selfheal.breaker.UpstreamBreaker;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A 429, or any answer with Retry-After, is throttling: it never moves the breaker and never spends the retry budget;
 * it engages the upstream's send rate, which releases callers from a hold a burst at a time.
 */
class ThrottleIsNotFailureTest {
    private static final String UPSTREAM = "throttling";

    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock();

    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    private void start(Map<String, String> props) throws Exception {
        ctx = contexts.start(props, new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:call").routeId("call").routeConfigurationId("self-healing")
                        .setProperty(SelfhealProperties.UPSTREAM, constant(UPSTREAM))
                        .toD("http://127.0.0.1:" + wm.getPort() + "/items/${header.id}?httpMethod=GET&connectTimeout=2000&responseTimeout=3000");
            }
        });
    }

    private CompletableFuture<Exchange> send(String id) {
        return ctx.createProducerTemplate().asyncSend("direct:call", e -> e.getIn().setHeader("id", id));
    }

    private UpstreamBreaker breaker() {
        return SelfhealRuntime.of(ctx).breakers().forUpstream(UPSTREAM);
    }

    private RetryBudget budget() {
        return SelfhealRuntime.of(ctx).budgets().forUpstream(UPSTREAM);
    }

    @ParameterizedTest(name = "429 {0}")
    @ValueSource(strings = {"without Retry-After", "with Retry-After: 1"})
    void tooManyRequestsNeverMoveTheBreakerNorSpendTheBudget(String variant) throws Exception {
        var answer = aResponse().withStatus(429);
        if (variant.startsWith("with ")) {
            answer = answer.withHeader("Retry-After", "1");
        }
        wm.stubFor(get(urlPathMatching("/items/.*")).willReturn(answer));
        // a breaker that opens on 2 failures in a row, a budget of 2 retries: eight 429 calls would trip both
        start(TestContexts.withBreakers("selfheal.defaults.max-attempts", "4",
                "selfheal.defaults.recoverable-initial-delay", "20ms",
                "selfheal.breaker.defaults.consecutive-failures", "2",
                "selfheal.budget.defaults.max-tokens", "2"));
        Exchange a = send("a").get(20, TimeUnit.SECONDS);
        Exchange b = send("b").get(20, TimeUnit.SECONDS);

        // each made all its calls: no budget denial, no breaker refusal in between
        assertThat(a.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        assertThat(b.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        wm.verify(4, getRequestedFor(urlPathEqualTo("/items/a")));
        wm.verify(4, getRequestedFor(urlPathEqualTo("/items/b")));
        assertThat(breaker().state()).isEqualTo(State.CLOSED);
        assertThat(breaker().circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(budget().tokens()).isEqualTo(budget().settings().maxTokens());
        assertThat(breaker().sendRate().engaged()).isTrue();
    }

    @Test
    void aServiceUnavailableWithoutRetryAfterStillCountsAgainstTheBreaker() throws Exception {
        wm.stubFor(get(urlPathMatching("/items/.*")).willReturn(aResponse().withStatus(503)));
        start(TestContexts.withBreakers("selfheal.defaults.max-attempts", "3",
                "selfheal.breaker.defaults.consecutive-failures", "3"));
        send("a").get(20, TimeUnit.SECONDS);
        assertThat(breaker().state()).isEqualTo(State.OPEN);
        assertThat(breaker().sendRate().engaged()).isFalse();
    }

    /**
     * A 503 with Retry-After holds every caller back; when the hold ends they are released through the send rate
     * that the throttle engaged, never together.
     */
    @Test
    void callersHeldByAServiceUnavailableRetryAfterAreReleasedABurstAtATime() throws Exception {
        wm.stubFor(get(urlPathMatching("/items/.*")).inScenario("hold").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "1")).willSetStateTo("back"));
        wm.stubFor(get(urlPathMatching("/items/.*")).inScenario("hold").whenScenarioStateIs("back")
                .willReturn(aResponse().withStatus(200).withBody("ok")));
        start(TestContexts.withBreakers());
        CompletableFuture<Exchange> first = send("first");
        await().atMost(10, TimeUnit.SECONDS).until(() -> breaker().holdUntil().isAfter(Instant.now()));
        Instant holdEnd = breaker().holdUntil();
        List<CompletableFuture<Exchange>> held = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            held.add(send("held-" + i));
        }
        assertThat(first.get(30, TimeUnit.SECONDS).getMessage().getBody(String.class)).isEqualTo("ok");
        for (CompletableFuture<Exchange> f : held) {
            Exchange e = f.get(30, TimeUnit.SECONDS);
            assertThat(e.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
            assertThat(e.getMessage().getBody(String.class)).isEqualTo("ok");
        }
        // nobody called during the hold: every call but the first (the 503) came at or after its end
        List<Long> calls = new ArrayList<>(wm.getAllServeEvents().stream()
                .map(e -> e.getRequest().getLoggedDate().toInstant().toEpochMilli()).sorted().toList());
        assertThat(calls).hasSize(14);
        List<Long> after = calls.subList(1, calls.size());
        assertThat(after).allSatisfy(at -> assertThat(at).isGreaterThanOrEqualTo(holdEnd.toEpochMilli() - 1));
        // 13 calls after the hold (the 12 held and the first's retry), spread: within any 50 ms at most the send
        // rate's burst plus what its rate lets through in 50 ms
        AdaptiveSendRate rate = breaker().sendRate();
        assertThat(rate.engaged()).isTrue();
        int allowed = (int) Math.floor(rate.burst() + rate.rate() * 0.05) + 1;
        int densest = 0;
        for (int i = 0; i < after.size(); i++) {
            int j = i;
            while (j < after.size() && after.get(j) - after.get(i) < 50) {
                j++;
            }
            densest = Math.max(densest, j - i);
        }
        assertThat(densest).as("calls within the densest 50 ms (rate %s)", rate).isLessThanOrEqualTo(allowed);
        assertThat(breaker().state()).isEqualTo(State.CLOSED);
    }
}
