package io.selfheal.camel.runs;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.observe.SelfhealMeters;
import io.selfheal.runs.JobRun;
import io.selfheal.runs.RunOutcome;
import io.selfheal.runs.RunStore;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Never two runs of one job at once on one instance: a timer fires every 100 ms while the job's first run waits a
 * second in a retry (a 503 with Retry-After: 1). With misfire=skip the firings meanwhile are dropped and counted, and
 * make no call; with misfire=queue one waits and runs after, and no two runs overlap.
 */
class MisfireTest {
    @RegisterExtension
    WireMockExtension upstream = TestContexts.localWireMock();

    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();

    private final AtomicInteger processed = new AtomicInteger();

    private CamelContext start(String misfire, int firings) throws Exception {
        // the first fetch is throttled for a second, every later one answers at once
        upstream.stubFor(get(urlPathEqualTo("/ids")).inScenario("fetch").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("open").willReturn(aResponse().withStatus(503).withHeader("Retry-After", "1")));
        upstream.stubFor(get(urlPathEqualTo("/ids")).inScenario("fetch").whenScenarioStateIs("open")
                .willReturn(aResponse().withStatus(200).withBody("1")));
        String base = "http://127.0.0.1:" + upstream.getPort();
        return contexts.start(TestContexts.scaled("selfheal.defaults.max-attempts", "3",
                "selfheal.jobs.nightly.misfire", misfire), new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:nightly?period=100&delay=50&repeatCount=" + firings).routeId("nightly")
                        .routeConfigurationId("self-healing")
                        .to(base + "/ids?httpMethod=GET")
                        .process(e -> processed.incrementAndGet());
            }
        });
    }

    private static List<JobRun> endedRuns(RunStore store) {
        return store.runsOf("nightly", 20).stream().filter(r -> !r.running()).toList();
    }

    @Test
    void underSkipTheFiringsDuringARunAreDroppedAndCounted() throws Exception {
        CamelContext ctx = start("skip", 3);
        RunStore store = JobRuns.of(ctx).store();
        double[] misfires = {0};
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            misfires[0] = SelfhealRuntime.of(ctx).meters().registry().find(SelfhealMeters.JOB_MISFIRES)
                    .tags("job", "nightly", "policy", "skip").counters().stream().mapToDouble(c -> c.count()).sum();
            return misfires[0] == 2 && endedRuns(store).size() == 1;
        });
        JobRun run = endedRuns(store).get(0);
        assertThat(run.outcome()).contains(RunOutcome.HEALED);
        assertThat(store.runsOf("nightly", 20)).hasSize(1);
        // the dropped firings did nothing: two calls (the 503 and its retry), one exchange through the route
        upstream.verify(2, getRequestedFor(urlPathEqualTo("/ids")));
        assertThat(processed).hasValue(1);
    }

    @Test
    void underQueueAFiringWaitsForTheRunInProgressAndRunsAfterIt() throws Exception {
        CamelContext ctx = start("queue", 3);
        RunStore store = JobRuns.of(ctx).store();
        await().atMost(Duration.ofSeconds(30)).until(() -> endedRuns(store).size() == 3);
        List<JobRun> runs = endedRuns(store).stream().sorted(Comparator.comparing(JobRun::started)).toList();
        assertThat(runs).extracting(r -> r.outcome().orElseThrow())
                .containsExactly(RunOutcome.HEALED, RunOutcome.CLEAN, RunOutcome.CLEAN);
        for (int i = 1; i < runs.size(); i++) {
            assertThat(runs.get(i).started()).as("run %d starts after run %d ended", i + 1, i)
                    .isAfterOrEqualTo(runs.get(i - 1).ended().orElseThrow());
        }
        assertThat(processed).hasValue(3);
        assertThat(SelfhealRuntime.of(ctx).meters().registry().find(SelfhealMeters.JOB_MISFIRES).counters()).isEmpty();
    }
}
