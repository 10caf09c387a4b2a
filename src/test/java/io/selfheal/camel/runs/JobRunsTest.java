package io.selfheal.camel.runs;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.micrometer.core.instrument.MeterRegistry;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.camel.escalation.EscalationServices;
import io.selfheal.observe.SelfhealMeters;
import io.selfheal.camel.escalation.ParkedViews;
import io.selfheal.camel.escalation.ReplayResult;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.retry.DelaySource;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.runs.JobRun;
import io.selfheal.runs.RunCounts;
import io.selfheal.runs.RunOutcome;
import io.selfheal.runs.RunState;
import io.selfheal.runs.RunStore;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;
import io.selfheal.testing.YamlRoutes;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A self-healing route started by a timer is a job; its firing is a run, recorded without code in the route: its
 * records (the split items, or the exchange itself), how each was delivered or parked, the calls and retries per
 * upstream and the waits, judged CLEAN, HEALED, PARTIAL or FAILED when the run's exchange is done, and ABANDONED for
 * a run this instance left RUNNING when it last stopped.
 */
class JobRunsTest {
    @RegisterExtension
    WireMockExtension upstream = TestContexts.localWireMock();

    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();

    private JdbcTemplate sink;
    private CamelContext ctx;

    @BeforeEach
    void sinkTable() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:sink-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        sink = new JdbcTemplate(ds);
        sink.execute("CREATE TABLE priced (id VARCHAR(20) PRIMARY KEY, price VARCHAR(50))");
    }

    private String base() {
        return "http://127.0.0.1:" + upstream.getPort();
    }

    private Map<String, String> properties(String... more) {
        return TestContexts.scaled(Map.of("selfheal.defaults.max-attempts", "3",
                "selfheal.parked.replay-poll-interval", "0s"), more);
    }

    /** The job "nightly": fetch the ids, then per id price it at the upstream and write it to the sink table. */
    private RouteBuilder nightly() {
        return nightly(false);
    }

    private RouteBuilder nightly(boolean parallel) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:nightly?repeatCount=1&delay=50").routeId("nightly").routeConfigurationId("self-healing")
                        .setProperty("SelfhealUpstream", constant("inventory-service"))
                        .to(base() + "/ids?httpMethod=GET")
                        .split(body().tokenize("\n")).parallelProcessing(parallel)
                            .setProperty("id", body())
                            .setBody(constant(""))
                            .toD(base() + "/price/${exchangeProperty.id}?httpMethod=GET")
                            .process(e -> sink.update("INSERT INTO priced VALUES (?, ?)",
                                    e.getProperty("id", String.class), e.getIn().getBody(String.class)))
                        .end();
            }
        };
    }

    private void ids(int n) {
        upstream.stubFor(get(urlPathEqualTo("/ids")).willReturn(aResponse().withStatus(200).withBody(
                IntStream.rangeClosed(1, n).mapToObj(Integer::toString).collect(Collectors.joining("\n")))));
    }

    private void priceOk() {
        upstream.stubFor(get(urlPathMatching("/price/.*")).atPriority(10)
                .willReturn(aResponse().withStatus(200).withBody("9.99")));
    }

    private void status(int id, int status) {
        upstream.stubFor(get(urlPathEqualTo("/price/" + id)).atPriority(1)
                .willReturn(aResponse().withStatus(status).withBody("status " + status)));
    }

    /** 503 on the first call, 200 after. */
    private void unavailableOnce(int id) {
        String scenario = "price-" + id;
        upstream.stubFor(get(urlPathEqualTo("/price/" + id)).atPriority(1).inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("healed")
                .willReturn(aResponse().withStatus(503).withBody("busy")));
        upstream.stubFor(get(urlPathEqualTo("/price/" + id)).atPriority(1).inScenario(scenario)
                .whenScenarioStateIs("healed").willReturn(aResponse().withStatus(200).withBody("9.99")));
    }

    private JobRun onlyRun(String... more) throws Exception {
        return onlyRun(false, more);
    }

    private JobRun onlyRun(boolean parallel, String... more) throws Exception {
        ctx = contexts.start(properties(more), nightly(parallel));
        RunStore store = JobRuns.of(ctx).store();
        await().atMost(Duration.ofSeconds(30)).until(() -> store.runsOf("nightly", 5).stream().anyMatch(r -> !r.running()));
        List<JobRun> runs = store.runsOf("nightly", 5);
        assertThat(runs).hasSize(1);
        return runs.get(0);
    }

    private int sinkRows() {
        return sink.queryForObject("SELECT COUNT(*) FROM priced", Integer.class);
    }

    @Test
    void aRunWithoutAFailureIsClean() throws Exception {
        ids(3);
        priceOk();
        JobRun run = onlyRun();
        assertThat(run.outcome()).contains(RunOutcome.CLEAN);
        assertThat(run.state()).isEqualTo(RunState.ENDED);
        assertThat(run.instanceId()).isEqualTo(JobRuns.of(ctx).instanceId());
        RunCounts c = run.counts();
        assertThat(c.records()).isEqualTo(3);
        assertThat(c.deliveredFirstTry()).isEqualTo(3);
        assertThat(c.deliveredAfterRetries()).isZero();
        assertThat(c.parked()).isZero();
        assertThat(c.upstreams().get("inventory-service").calls()).isEqualTo(4); // the fetch and 3 items
        assertThat(c.retries()).isZero();
        assertThat(run.failure()).isEmpty();
        assertThat(run.ended()).isPresent();
        assertThat(run.triggerTime()).isBeforeOrEqualTo(run.started());
        assertThat(sinkRows()).isEqualTo(3);
    }

    @Test
    void aRunWhoseFailuresRetriesAbsorbedIsHealed() throws Exception {
        ids(3);
        priceOk();
        unavailableOnce(2);
        JobRun run = onlyRun();
        assertThat(run.outcome()).contains(RunOutcome.HEALED);
        RunCounts c = run.counts();
        assertThat(c.records()).isEqualTo(3);
        assertThat(c.deliveredFirstTry()).isEqualTo(2);
        assertThat(c.deliveredAfterRetries()).isEqualTo(1);
        assertThat(c.parked()).isZero();
        assertThat(c.upstreams().get("inventory-service").calls()).isEqualTo(5);
        assertThat(c.upstreams().get("inventory-service").retries()).isEqualTo(1);
        assertThat(c.waited(DelaySource.BACKOFF)).isPositive();
        assertThat(sinkRows()).isEqualTo(3);
    }

    @Test
    void aRunThatParkedARecordIsPartialAndItsRecordNamesTheRun() throws Exception {
        ids(3);
        priceOk();
        status(2, 400);
        JobRun run = onlyRun();
        assertThat(run.outcome()).contains(RunOutcome.PARTIAL);
        RunCounts c = run.counts();
        assertThat(c.records()).isEqualTo(3);
        assertThat(c.deliveredFirstTry()).isEqualTo(2);
        assertThat(c.parked(GiveUpReason.PERMANENT)).isEqualTo(1);
        assertThat(c.upstreams().get("inventory-service").parkedFailures()).containsEntry("400", 1L);
        assertThat(sinkRows()).isEqualTo(2);
        List<ParkedMessage> parked = EscalationServices.of(ctx).store().list(null, null, 10);
        assertThat(parked).hasSize(1);
        ParkedMessage record = EscalationServices.of(ctx).store().find(parked.get(0).id()).orElseThrow();
        assertThat(record.runId()).isEqualTo(run.runId());
        assertThat(ParkedViews.show(record, EscalationServices.of(ctx).store().config().redactor()))
                .contains("job run").contains(run.runId());

        // the upstream knows the item now: replaying its parked record delivers it, and the run is HEALED (decision 21)
        status(2, 200);
        ReplayResult replayed = EscalationServices.of(ctx).replay().replay(record.id(), null).get(30, TimeUnit.SECONDS);
        assertThat(replayed.outcome()).isEqualTo(ReplayResult.Outcome.REPLAYED);
        JobRun after = JobRuns.of(ctx).store().find(run.runId()).orElseThrow();
        assertThat(after.outcome()).contains(RunOutcome.HEALED);
        assertThat(after.counts().parked()).isZero();
        assertThat(after.counts().deliveredLater()).isEqualTo(1);
        assertThat(sinkRows()).isEqualTo(3);
        // the replay was not a run of its own
        assertThat(JobRuns.of(ctx).store().runsOf("nightly", 5)).hasSize(1);
    }

    @Test
    void aRunWhoseFetchGaveUpFailed() throws Exception {
        upstream.stubFor(get(urlPathEqualTo("/ids")).willReturn(aResponse().withStatus(503).withBody("down")));
        priceOk();
        // one start only: the whole-run retry has its own test (WholeRunRetryTest)
        JobRun run = onlyRun("selfheal.jobs.nightly.run-max-attempts", "1");
        assertThat(run.outcome()).contains(RunOutcome.FAILED);
        assertThat(run.failure()).hasValueSatisfying(f -> assertThat(f).contains("gave up").contains("503"));
        assertThat(run.counts().records()).isZero();
        assertThat(run.counts().upstreams().get("inventory-service").calls()).isEqualTo(3);
        assertThat(run.counts().upstreams().get("inventory-service").retries()).isEqualTo(2);
        upstream.verify(0, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathMatching("/price/.*")));
    }

    @Test
    void aRunThisInstanceLeftRunningIsFoundAbandonedAtItsStart() throws Exception {
        ids(1);
        priceOk();
        CamelContext created = contexts.create(properties());
        // the previous life of this instance began a run and died
        String interrupted;
        try (RunStore before = new RunStore(EscalationServices.of(created).store().config().jdbc(),
                RunStore.DEFAULT_TABLE, InstanceIds.of(created), Clock.systemUTC())) {
            interrupted = before.begin("nightly", Instant.now()).runId();
        }
        created.addRoutes(nightly());
        created.start();
        ctx = created;
        RunStore store = JobRuns.of(ctx).store();
        JobRun abandoned = store.find(interrupted).orElseThrow();
        assertThat(abandoned.outcome()).contains(RunOutcome.ABANDONED);
        assertThat(abandoned.state()).isEqualTo(RunState.ENDED);
        assertThat(abandoned.failure()).hasValueSatisfying(f -> assertThat(f).contains("stopped"));
        // and the job runs again, now that its previous run is over
        await().atMost(Duration.ofSeconds(30)).until(() -> store.runsOf("nightly", 5).stream()
                .anyMatch(r -> !r.runId().equals(interrupted) && !r.running()));
        assertThat(store.runsOf("nightly", 5)).extracting(r -> r.outcome().orElseThrow())
                .containsExactlyInAnyOrder(RunOutcome.ABANDONED, RunOutcome.CLEAN);
    }

    /**
     * On a shared database, a run of another instance whose heartbeat stopped is found by this one's heartbeat tick
     * and ABANDONED; this instance's run in progress sends its heartbeat with its counts on the same tick.
     */
    @Test
    void theHeartbeatAbandonsAnotherInstancesSilentRunAndKeepsOwnRunsAlive() throws Exception {
        ids(1);
        priceOk();
        CamelContext created = contexts.create(properties());
        String silent;
        Instant longAgo = Instant.now().minus(JobRuns.STALE_AFTER.multipliedBy(3));
        try (RunStore other = new RunStore(EscalationServices.of(created).store().config().jdbc(),
                RunStore.DEFAULT_TABLE, "other-host:/opt/nightly", Clock.fixed(longAgo, java.time.ZoneOffset.UTC))) {
            silent = other.begin("nightly", longAgo).runId();
        }
        created.start();
        ctx = created;
        JobRuns runs = JobRuns.of(ctx);
        assertThat(runs.store().find(silent).orElseThrow().running()).as("not this instance's: left at start").isTrue();

        runs.tick();
        JobRun abandoned = runs.store().find(silent).orElseThrow();
        assertThat(abandoned.outcome()).contains(RunOutcome.ABANDONED);
        assertThat(abandoned.failure()).hasValueSatisfying(f -> assertThat(f).contains("other-host:/opt/nightly")
                .contains("no heartbeat"));
        assertThat(abandoned.ended()).contains(abandoned.heartbeat());
        assertThat(SelfhealRuntime.of(ctx).meters().registry().get(SelfhealMeters.JOB_RUNS)
                .tags("job", "nightly", "outcome", "ABANDONED").counter().count()).isEqualTo(1);
    }

    /** The jobs guide's YAML job, with a timer: recorded as the Java one is. */
    @Test
    void aYamlRouteStartedByATimerIsAJob() throws Exception {
        upstream.stubFor(get(urlPathEqualTo("/ids")).willReturn(aResponse().withStatus(200).withBody("1,2,3")));
        priceOk();
        status(3, 400);
        CamelContext created = contexts.create(properties());
        YamlRoutes.load(created, """
                - route:
                    id: inventory-sync
                    routeConfigurationId: self-healing
                    from:
                      uri: timer:inventory?repeatCount=1&delay=50
                      steps:
                        - setProperty:
                            name: SelfhealUpstream
                            constant: inventory-service
                        - to: %s/ids?httpMethod=GET
                        - split:
                            tokenize: ","
                            steps:
                              - toD: %s/price/${body}?httpMethod=GET
                """.formatted(base(), base()));
        created.start();
        ctx = created;
        RunStore store = JobRuns.of(ctx).store();
        await().atMost(Duration.ofSeconds(30)).until(() -> store.runsOf("inventory-sync", 5).stream()
                .anyMatch(r -> !r.running()));
        JobRun run = store.runsOf("inventory-sync", 5).get(0);
        assertThat(run.outcome()).contains(RunOutcome.PARTIAL);
        assertThat(run.counts().records()).isEqualTo(3);
        assertThat(run.counts().deliveredFirstTry()).isEqualTo(2);
        assertThat(run.counts().parked(GiveUpReason.PERMANENT)).isEqualTo(1);
        assertThat(JobRuns.of(ctx).jobs()).containsExactly("inventory-sync");
    }

    @Test
    void aJobCanBeLeftUnrecorded() throws Exception {
        ids(2);
        priceOk();
        ctx = contexts.start(properties("selfheal.jobs.nightly.enabled", "false"), nightly());
        await().atMost(Duration.ofSeconds(30)).until(() -> sinkRows() == 2);
        assertThat(JobRuns.of(ctx).store().runsOf("nightly", 5)).isEmpty();
        assertThat(JobRuns.of(ctx).jobs()).isEmpty();
    }

    /**
     * A run of 40 items against an upstream that answers some 503 once, some 400, the rest 200: the run's counts are
     * what the upstream's journal and the sink's rows say.
     */
    @ParameterizedTest(name = "parallel split: {0}")
    @ValueSource(booleans = {false, true})
    void runRecordsAreExact(boolean parallel) throws Exception {
        int n = 40;
        ids(n);
        priceOk();
        int transientOnce = 0;
        int refused = 0;
        for (int id = 1; id <= n; id++) {
            if (id % 7 == 0) {
                status(id, 400);
                refused++;
            } else if (id % 3 == 0) {
                unavailableOnce(id);
                transientOnce++;
            }
        }
        JobRun run = onlyRun(parallel);
        RunCounts c = run.counts();
        int journal = upstream.getAllServeEvents().size();
        long priceCalls = upstream.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().startsWith("/price/")).count();
        long answered503 = upstream.getAllServeEvents().stream()
                .filter(e -> e.getResponse().getStatus() == 503).count();

        assertThat(run.outcome()).contains(RunOutcome.PARTIAL);
        assertThat(c.records()).isEqualTo(n).isEqualTo(priceCalls - answered503);
        assertThat(c.calls()).isEqualTo(journal);
        assertThat(c.retries()).isEqualTo(answered503).isEqualTo(transientOnce);
        assertThat(c.delivered()).isEqualTo(sinkRows()).isEqualTo(n - refused);
        assertThat(c.deliveredAfterRetries()).isEqualTo(transientOnce);
        // and the meters say the same
        MeterRegistry registry = SelfhealRuntime.of(ctx).meters().registry();
        // the run's row ends before its listeners count it: wait for the last meter the meters listener writes
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.find(SelfhealMeters.JOB_RECORDS)
                .tags("job", "nightly", "outcome", "parked").counter() != null);
        assertThat(registry.get(SelfhealMeters.JOB_RUNS).tags("job", "nightly", "outcome", "PARTIAL").counter().count())
                .isEqualTo(1);
        assertThat(registry.get(SelfhealMeters.JOB_RECORDS).tags("job", "nightly", "outcome", "first_try").counter()
                .count()).isEqualTo(n - refused - transientOnce);
        assertThat(registry.get(SelfhealMeters.JOB_RECORDS).tags("job", "nightly", "outcome", "after_retries").counter()
                .count()).isEqualTo(transientOnce);
        assertThat(registry.get(SelfhealMeters.JOB_RECORDS).tags("job", "nightly", "outcome", "parked").counter()
                .count()).isEqualTo(refused);
        assertThat(registry.get(SelfhealMeters.JOB_RUN_DURATION).tags("job", "nightly").timer().count()).isEqualTo(1);
        assertThat(c.parked()).isEqualTo(refused)
                .isEqualTo(EscalationServices.of(ctx).store().list(null, null, 100).size());
        assertThat(c.parked(GiveUpReason.PERMANENT)).isEqualTo(refused);
    }
}
