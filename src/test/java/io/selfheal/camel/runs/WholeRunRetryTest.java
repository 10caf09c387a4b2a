package io.selfheal.camel.runs;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.camel.escalation.EscalationServices;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStatus;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The run as a retry scope: a run whose fetch (before its split) gives up starts again as a whole, the same run, after
 * the fetch's upstream backoff, until it succeeds (HEALED), its run-max-attempts are used up or its deadline comes
 * (FAILED, with the reason); while it waits it is still the job's run in progress (the misfire policy holds).
 */
class WholeRunRetryTest {
    @RegisterExtension
    WireMockExtension upstream = TestContexts.localWireMock();

    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();

    /** Each record the job delivered, and how often. */
    private final Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
    private final AtomicInteger throughRoute = new AtomicInteger();

    private String base() {
        return "http://127.0.0.1:" + upstream.getPort();
    }

    /** The job "nightly": fetch the ids, then per id price it; the timer fires as {@code timer} says. */
    private CamelContext start(String timer, String... properties) throws Exception {
        upstream.stubFor(get(urlPathMatching("/price/.*")).willReturn(aResponse().withStatus(200).withBody("9.99")));
        return contexts.start(TestContexts.scaled(Map.of("selfheal.parked.replay-poll-interval", "0s"), properties),
                new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("timer:nightly?" + timer).routeId("nightly").routeConfigurationId("self-healing")
                                .setProperty("SelfhealUpstream", constant("inventory-service"))
                                .process(e -> throughRoute.incrementAndGet())
                                .to(base() + "/ids?httpMethod=GET")
                                .split(body().tokenize("\n"))
                                    .setProperty("id", body())
                                    .setBody(constant(""))
                                    .toD(base() + "/price/${exchangeProperty.id}?httpMethod=GET")
                                    .process(e -> delivered.computeIfAbsent(e.getProperty("id", String.class),
                                            k -> new AtomicInteger()).incrementAndGet())
                                .end();
                    }
                });
    }

    /** The fetch answers 503 {@code failures} times, then the ids 1 to 3. */
    private void fetchFails(int failures) {
        String state = Scenario.STARTED;
        for (int i = 1; i <= failures; i++) {
            upstream.stubFor(get(urlPathEqualTo("/ids")).inScenario("fetch").whenScenarioStateIs(state)
                    .willSetStateTo("failed-" + i).willReturn(aResponse().withStatus(503).withBody("down")));
            state = "failed-" + i;
        }
        upstream.stubFor(get(urlPathEqualTo("/ids")).inScenario("fetch").whenScenarioStateIs(state)
                .willReturn(aResponse().withStatus(200).withBody("1\n2\n3")));
    }

    /** The parked records still waiting for a replay or a human. */
    private static List<ParkedMessage> waiting(CamelContext ctx) {
        return EscalationServices.of(ctx).store().list(ParkedStatus.PARKED, null, 100);
    }

    private static List<JobRun> ended(RunStore store) {
        return store.runsOf("nightly", 20).stream().filter(r -> !r.running()).toList();
    }

    private JobRun onlyEndedRun(CamelContext ctx) {
        RunStore store = JobRuns.of(ctx).store();
        await().atMost(Duration.ofSeconds(30)).until(() -> ended(store).size() == 1);
        assertThat(store.runsOf("nightly", 20)).hasSize(1);
        return ended(store).get(0);
    }

    @Test
    void aRunWhoseFetchGaveUpTwiceStartsAgainAsAWholeAndHeals() throws Exception {
        // each fetch call is retried once (max-attempts 2); four 503s make two starts of the run give up
        fetchFails(4);
        CamelContext ctx = start("repeatCount=1&delay=50", "selfheal.defaults.max-attempts", "2",
                "selfheal.jobs.nightly.run-max-attempts", "3");
        JobRun run = onlyEndedRun(ctx);
        assertThat(run.outcome()).contains(RunOutcome.HEALED);
        assertThat(run.attempts()).isEqualTo(3);
        assertThat(run.failure()).isEmpty();
        assertThat(run.counts().records()).isEqualTo(3);
        assertThat(run.counts().deliveredFirstTry()).isEqualTo(3);
        assertThat(delivered).containsOnlyKeys("1", "2", "3");
        assertThat(delivered.values()).allSatisfy(n -> assertThat(n).hasValue(1));
        upstream.verify(5, getRequestedFor(urlPathEqualTo("/ids")));
        upstream.verify(3, getRequestedFor(urlPathMatching("/price/.*")));
        assertThat(throughRoute).hasValue(3);
        // the fetches that gave up were parked, and discarded as the run started again: nothing to replay twice
        assertThat(waiting(ctx)).isEmpty();
        assertThat(EscalationServices.of(ctx).store().list(ParkedStatus.DISCARDED, null, 100)).hasSize(2);
    }

    @Test
    void aRunWhoseFetchAlwaysGivesUpFailsAfterItsWholeRunAttempts() throws Exception {
        upstream.stubFor(get(urlPathEqualTo("/ids")).willReturn(aResponse().withStatus(503).withBody("down")));
        CamelContext ctx = start("repeatCount=1&delay=50", "selfheal.defaults.max-attempts", "1",
                "selfheal.jobs.nightly.run-max-attempts", "3");
        JobRun run = onlyEndedRun(ctx);
        assertThat(run.outcome()).contains(RunOutcome.FAILED);
        assertThat(run.attempts()).isEqualTo(3);
        assertThat(run.failure()).hasValueSatisfying(f -> assertThat(f).contains("gave up").contains("503")
                .contains("whole-run retries exhausted"));
        assertThat(run.counts().records()).isZero();
        upstream.verify(3, getRequestedFor(urlPathEqualTo("/ids")));
        upstream.verify(0, getRequestedFor(urlPathMatching("/price/.*")));
        assertThat(delivered).isEmpty();
        // the last start's fetch stays parked, its run's: a human may replay the run once
        assertThat(waiting(ctx)).singleElement().satisfies(p -> assertThat(p.runId()).isEqualTo(run.runId()));
    }

    @Test
    void aWholeRunRetryThatWouldStartAfterTheDeadlineIsNotStarted() throws Exception {
        upstream.stubFor(get(urlPathEqualTo("/ids")).willReturn(aResponse().withStatus(503).withBody("down")));
        // the backoff before the second start is 2 s; the run's deadline is 300 ms after its trigger
        CamelContext ctx = start("repeatCount=1&delay=50", "selfheal.defaults.max-attempts", "1",
                "selfheal.defaults.initial-delay", "2s", "selfheal.defaults.max-delay", "2s",
                "selfheal.defaults.jitter", "0", "selfheal.jobs.nightly.run-deadline", "300ms",
                "selfheal.jobs.nightly.run-max-attempts", "3");
        JobRun run = onlyEndedRun(ctx);
        assertThat(run.outcome()).contains(RunOutcome.FAILED);
        assertThat(run.attempts()).isEqualTo(1);
        assertThat(run.failure()).hasValueSatisfying(f -> assertThat(f).contains("deadline"));
        upstream.verify(1, getRequestedFor(urlPathEqualTo("/ids")));
        assertThat(throughRoute).hasValue(1);
    }

    @Test
    void withoutARunDeadlineTheNextTriggerIsTheDeadline() throws Exception {
        upstream.stubFor(get(urlPathEqualTo("/ids")).willReturn(aResponse().withStatus(503).withBody("down")));
        // a timer every 1.5 s, the backoff before a second start 2 s: its first run does not start again
        CamelContext ctx = start("period=1500&delay=50&repeatCount=2", "selfheal.defaults.max-attempts", "1",
                "selfheal.defaults.initial-delay", "2s", "selfheal.defaults.max-delay", "2s",
                "selfheal.defaults.jitter", "0", "selfheal.jobs.nightly.run-max-attempts", "2");
        RunStore store = JobRuns.of(ctx).store();
        await().atMost(Duration.ofSeconds(30)).until(() -> ended(store).size() == 2);
        List<JobRun> runs = ended(store).stream().sorted(Comparator.comparing(JobRun::started)).toList();
        assertThat(runs).allSatisfy(run -> assertThat(run.outcome()).contains(RunOutcome.FAILED));
        assertThat(runs.get(0).attempts()).isEqualTo(1);
        assertThat(runs.get(0).failure()).hasValueSatisfying(f -> assertThat(f).contains("deadline"));
        // the timer's last firing has no next trigger: its run is bounded by its attempts only
        assertThat(runs.get(1).attempts()).isEqualTo(2);
        assertThat(runs.get(1).failure()).hasValueSatisfying(f -> assertThat(f).contains("whole-run retries exhausted"));
        upstream.verify(3, getRequestedFor(urlPathEqualTo("/ids")));
    }

    @Test
    void aFiringWhileTheRunWaitsForItsWholeRetryIsSkipped() throws Exception {
        fetchFails(1);
        // the timer fires every 100 ms; the run waits 1 s before its second start, well inside its 10 s deadline
        CamelContext ctx = start("period=100&delay=50&repeatCount=3", "selfheal.defaults.max-attempts", "1",
                "selfheal.defaults.initial-delay", "1s", "selfheal.defaults.max-delay", "1s",
                "selfheal.defaults.jitter", "0", "selfheal.jobs.nightly.run-deadline", "10s",
                "selfheal.jobs.nightly.run-max-attempts", "3", "selfheal.jobs.nightly.misfire", "skip");
        RunStore store = JobRuns.of(ctx).store();
        double[] misfires = {0};
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            misfires[0] = SelfhealRuntime.of(ctx).meters().registry().find(SelfhealMeters.JOB_MISFIRES)
                    .tags("job", "nightly", "policy", "skip").counters().stream().mapToDouble(c -> c.count()).sum();
            return misfires[0] == 2 && ended(store).size() == 1;
        });
        assertThat(store.runsOf("nightly", 20)).hasSize(1);
        JobRun run = ended(store).get(0);
        assertThat(run.outcome()).contains(RunOutcome.HEALED);
        assertThat(run.attempts()).isEqualTo(2);
        // the dropped firings ran none of the route's steps
        assertThat(throughRoute).hasValue(2);
        upstream.verify(2, getRequestedFor(urlPathEqualTo("/ids")));
        assertThat(delivered.values()).allSatisfy(n -> assertThat(n).hasValue(1));
    }
}
