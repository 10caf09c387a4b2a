package io.selfheal.camel.breaker;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.testing.RateLimitedUpstream;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.selfheal.breaker.UpstreamBreaker;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many callers on one real rate-limited upstream (a token bucket answering 429 with {@code Retry-After: 1} beyond its
 * rate): every message is delivered once, no call comes before a Retry-After allowed, and the send rate keeps 429s a
 * small share of all calls. The breaker and the budget are on, as shipped (scaled).
 */
class RateLimitedHealingTest {
    private static final double RATE = 50;
    private static final int BURST = 5;
    private static final int MESSAGES = 500;
    private static final int WORKERS = 8;

    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;
    private RateLimitedUpstream upstream;

    @AfterEach
    void stop() throws Exception {
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void eightWorkersOnAGlobalRateLimitDeliverEveryMessageOnceWithFewThrottles() throws Exception {
        upstream = new RateLimitedUpstream(RATE, BURST);
        Queue<Exchange> delivered = new ConcurrentLinkedQueue<>();
        Queue<Exchange> gaveUp = new ConcurrentLinkedQueue<>();
        ctx = contexts.start(TestContexts.withBreakers(), new RouteBuilder() {
            @Override
            public void configure() {
                from("seda:items?concurrentConsumers=" + WORKERS + "&size=" + (MESSAGES + 10)).routeId("items")
                        .routeConfigurationId("self-healing")
                        .setProperty(SelfhealProperties.UPSTREAM, constant("limited"))
                        .toD(upstream.baseUrl() + "/items/${header.id}?httpMethod=GET&connectTimeout=2000&responseTimeout=5000")
                        .process(e -> delivered.add(e));
            }
        });
        NotifyBuilder done = new NotifyBuilder(ctx).fromRoute("items").whenDone(MESSAGES).create();
        var producer = ctx.createProducerTemplate();
        for (int i = 0; i < MESSAGES; i++) {
            producer.sendBodyAndHeader("seda:items", "", "id", "m" + i);
        }
        assertThat(done.matches(120, TimeUnit.SECONDS)).as("every message settled").isTrue();

        // every message delivered, each accepted exactly once, none given up
        assertThat(delivered).hasSize(MESSAGES);
        assertThat(delivered).allSatisfy(e -> assertThat(e.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull());
        Map<String, Integer> accepted = new java.util.HashMap<>();
        upstream.journal().stream().filter(c -> c.status() == 200).forEach(c -> accepted.merge(c.id(), 1, Integer::sum));
        assertThat(accepted).hasSize(MESSAGES);
        assertThat(accepted.values()).containsOnly(1);
        // nobody called before the Retry-After it was given
        assertThat(upstream.earlyCalls()).isZero();
        // the send rate follows the limiter: throttles are a small share of all calls
        int calls = upstream.calls();
        assertThat(upstream.throttled()).as("429s of %d calls", calls).isLessThanOrEqualTo(calls / 10);
        // throttling is not failure: the breaker never opened and never counted a 429
        UpstreamBreaker breaker = SelfhealRuntime.of(ctx).breakers().forUpstream("limited");
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(breaker.refusals()).as("refusals other than send-rate waits").isGreaterThanOrEqualTo(0);
        assertThat(breaker.sendRate().engaged()).isTrue();
        // and the budget was not spent on them
        assertThat(SelfhealRuntime.of(ctx).budgets().forUpstream("limited").tokens())
                .isEqualTo(SelfhealRuntime.of(ctx).budgets().forUpstream("limited").settings().maxTokens());
        int[] throttledPerSecond = new int[upstream.acceptedPerSecond().length + 1];
        upstream.journal().stream().filter(c -> c.status() == 429)
                .forEach(c -> throttledPerSecond[(int) ((c.arrivalNanos() - upstream.origin()) / 1_000_000_000L)]++);
        System.out.printf("rate-limited upstream: %d calls, %d throttled (%.1f %%), send rate now %s, accepted per second %s,"
                        + " throttled per second %s%n", calls, upstream.throttled(), 100.0 * upstream.throttled() / calls,
                breaker.sendRate(), java.util.Arrays.toString(upstream.acceptedPerSecond()),
                java.util.Arrays.toString(throttledPerSecond));
    }
}
