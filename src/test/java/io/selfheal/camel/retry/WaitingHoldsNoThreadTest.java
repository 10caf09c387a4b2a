package io.selfheal.camel.retry;

import io.selfheal.camel.AttemptListener;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import io.selfheal.classify.Classification;
import io.selfheal.retry.AttemptHistory;
import io.selfheal.retry.RetryDecision;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Backoff is scheduled, not slept: hundreds of exchanges wait in backoff at once from a consumer with 4 threads, and the
 * process does not grow a thread per waiting exchange.
 */
class WaitingHoldsNoThreadTest {
    private static final int MESSAGES = 400;
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    @Test
    void manyExchangesWaitWithoutHoldingThreads() throws Exception {
        Map<String, AtomicInteger> failuresByMessage = new ConcurrentHashMap<>();
        AtomicInteger waiting = new AtomicInteger();
        AtomicInteger peakWaiting = new AtomicInteger();
        AtomicInteger delivered = new AtomicInteger();

        ctx = contexts.create(TestContexts.scaled("selfheal.defaults.initial-delay", "300ms",
                "selfheal.defaults.multiplier", "1", "selfheal.defaults.jitter", "0"));
        SelfhealRuntime.of(ctx).addListener(new AttemptListener() {
            @Override
            public RetryDecision onFailedAttempt(Exchange exchange, String upstream, Classification c, AttemptHistory h,
                                                 RetryDecision proposed) {
                if (proposed.retry()) {
                    peakWaiting.accumulateAndGet(waiting.incrementAndGet(), Math::max);
                }
                return proposed;
            }
        });
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("seda:work?concurrentConsumers=4&size=2000").routeConfigurationId("self-healing")
                        .process(e -> {
                            if (e.getIn().getHeader(Exchange.REDELIVERED, false, Boolean.class)) {
                                waiting.decrementAndGet();
                            }
                            int failures = failuresByMessage.computeIfAbsent(e.getIn().getBody(String.class),
                                    k -> new AtomicInteger()).incrementAndGet();
                            if (failures <= 2) {
                                throw new java.net.SocketTimeoutException("Read timed out");
                            }
                        })
                        .process(e -> delivered.incrementAndGet());
            }
        });
        ctx.start();

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int baseline = threads.getThreadCount();
        threads.resetPeakThreadCount();
        ProducerTemplate template = ctx.createProducerTemplate();
        for (int i = 0; i < MESSAGES; i++) {
            template.sendBody("seda:work", "m" + i);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> delivered.get() == MESSAGES);

        int peakThreads = threads.getPeakThreadCount();
        // each message waited twice; at the busiest moment most of them were waiting at once
        assertThat(peakWaiting.get()).isGreaterThanOrEqualTo(MESSAGES / 4);
        // a thread-per-wait design would need about peakWaiting threads; scheduling needs a small fixed pool
        assertThat(peakThreads - baseline).isLessThan(40).isLessThan(peakWaiting.get() / 4);
        assertThat(failuresByMessage.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(3));
    }
}
