package io.selfheal.camel;

import io.selfheal.testing.TestContexts;
import io.selfheal.camel.escalation.EscalationServices;
import io.selfheal.camel.escalation.ReplayResult;
import io.selfheal.camel.idempotency.SelfhealIdempotency;
import io.selfheal.testing.EscalationTests;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * In a CamelContext, Selfheal's threads are the context's: made by its ExecutorServiceManager, so they carry its
 * thread name pattern ("Camel (name) thread #n - what"), and stay daemon threads. The alert ticker, the replay
 * scheduler and the claim renewer; all of them end when the context stops.
 */
class ContextThreadsTest {
    private CamelContext ctx;

    @AfterEach
    void stop() {
        if (ctx != null) {
            ctx.stop();
        }
    }

    private List<Thread> contextThreads(String what) {
        String prefix = "Camel (" + ctx.getName() + ") thread #";
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.getName().endsWith(" - " + what)).toList();
    }

    @Test
    void theAlertTickerTheReplaySchedulerAndTheClaimRenewerAreDaemonThreadsOfTheContext() throws Exception {
        ctx = TestContexts.start(TestContexts.scaled(EscalationTests.h2Store(),
                "selfheal.idempotency.url", "jdbc:h2:mem:threads-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"),
                Clock.systemUTC());
        // a replay runs on the replay scheduler; a claim starts the renewer
        ReplayResult none = EscalationServices.of(ctx).replay().replay(424242, null).get(10, TimeUnit.SECONDS);
        assertThat(none.outcome()).isEqualTo(ReplayResult.Outcome.NOT_FOUND);
        SelfhealIdempotency idempotency = SelfhealIdempotency.of(ctx);
        idempotency.store().add("orders", "k1");

        List<String> kinds = List.of("selfheal-alert-groups", "selfheal-replay",
                "selfheal-idempotency-claims-" + idempotency.store().table());
        for (String what : kinds) {
            assertThat(contextThreads(what)).as(what).singleElement().satisfies(t -> assertThat(t.isDaemon()).isTrue());
        }

        ctx.stop();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String what : kinds) {
                assertThat(contextThreads(what)).as(what + " after stop").isEmpty();
            }
        });
    }
}
