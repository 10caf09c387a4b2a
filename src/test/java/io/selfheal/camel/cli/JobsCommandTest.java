package io.selfheal.camel.cli;

import io.selfheal.json.Json;
import io.selfheal.retry.DelaySource;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.runs.JobRun;
import io.selfheal.runs.RunCounts;
import io.selfheal.runs.RunOutcome;
import io.selfheal.runs.RunStore;
import io.selfheal.runs.UpstreamRunCounts;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jobs}, {@code jobs runs} and {@code jobs show} against a run store on an H2 file database, seeded through the
 * RunStore API with runs of every ended outcome over the last days (each at a time the test chose, relative to now,
 * since the command's windows end now), the command pointed at it by -D system properties as the jar reads them.
 */
class JobsCommandTest {
    static final String RUNBOOK = "https://runbooks.example/inventory-sync";
    static final String FETCH_FAILED = "fetch gave up: connect timeout from inventory-db after 5 attempts";

    @TempDir
    Path dir;
    private final Map<String, String> previous = new HashMap<>();
    private RunStore store;
    private Seeded seeded;

    /** The runs a test seeded, by name, and the hour (UTC) their trigger times count back from. */
    record Seeded(Instant hour, JobRun partial, JobRun clean, JobRun oldClean, JobRun healed, JobRun failed,
                  JobRun priceLast) {
    }

    @BeforeEach
    void seedAStoreAndPointTheCommandLineAtIt() {
        String url = "jdbc:h2:file:" + dir.resolve("selfheal-parked").toString().replace('\\', '/');
        configure(Map.of("selfheal.parked.url", url));
        store = new RunStore(SelfhealConfig.load(Map.of("selfheal.parked.url", url)).parked().jdbc(),
                RunStore.DEFAULT_TABLE, "host-a", seedClock);
        seeded = seed(store, seedClock);
    }

    private final MutableClock seedClock = new MutableClock(Instant.now());

    @AfterEach
    void restore() {
        previous.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
        store.close();
    }

    /** The command line reads -D system properties last, as the jar does; put back after the test. */
    void configure(Map<String, String> keys) {
        Map<String, String> all = new HashMap<>(keys);
        all.put("selfheal.jobs.inventory-sync.runbook", RUNBOOK);
        all.put("selfheal.jobs.price-export.time-zone", "Europe/Berlin");
        all.forEach((k, v) -> {
            String before = System.setProperty(k, v);
            if (!previous.containsKey(k)) { // putIfAbsent would replace a remembered null (unset) with this test's value
                previous.put(k, before);
            }
        });
    }

    /**
     * inventory-sync, steady: PARTIAL 3 h ago (the seed's 3 of 5,000 parked), CLEAN 6 h and 28 h ago, HEALED 50 h ago,
     * FAILED 4 days ago. price-export, degrading: CLEAN 30 h and 40 h ago at one call per record, HEALED 5 h and 2 h
     * ago with every record retried 7 times.
     */
    static Seeded seed(RunStore store, MutableClock clock) {
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        JobRun failed = run(store, clock, "inventory-sync", hour.minus(Duration.ofDays(4)), Duration.ofSeconds(40),
                RunCounts.EMPTY, FETCH_FAILED);
        JobRun healed = run(store, clock, "inventory-sync", hour.minus(Duration.ofHours(50)), Duration.ofMinutes(3),
                new RunCounts(5_000, 4_990, 10, 0, Map.of(),
                        Map.of("inventory-service", new UpstreamRunCounts(5_020, 20, Map.of())),
                        Map.of(DelaySource.BACKOFF, Duration.ofSeconds(20)), 0, Duration.ZERO), null);
        JobRun oldClean = run(store, clock, "inventory-sync", hour.minus(Duration.ofHours(28)), Duration.ofMinutes(2),
                clean(5_000, "inventory-service"), null);
        JobRun clean = run(store, clock, "inventory-sync", hour.minus(Duration.ofHours(6)), Duration.ofMinutes(2),
                clean(5_000, "inventory-service"), null);
        // the seed's run: 3 of 5,000 parked after 8 attempts over 4m12s, every attempt a 500
        JobRun partial = run(store, clock, "inventory-sync", hour.minus(Duration.ofHours(3)),
                Duration.ofSeconds(4 * 60 + 12),
                new RunCounts(5_000, 4_900, 97, 0, Map.of(GiveUpReason.ATTEMPTS, 3L),
                        Map.of("inventory-service", new UpstreamRunCounts(5_218, 215, Map.of("500", 24L))),
                        Map.of(DelaySource.BACKOFF, Duration.ofMinutes(9), DelaySource.RETRY_AFTER,
                                Duration.ofSeconds(30)), 8, Duration.ofSeconds(4 * 60 + 12)), null);
        run(store, clock, "price-export", hour.minus(Duration.ofHours(40)), Duration.ofSeconds(5),
                clean(100, "price-service"), null);
        run(store, clock, "price-export", hour.minus(Duration.ofHours(30)), Duration.ofSeconds(5),
                clean(100, "price-service"), null);
        run(store, clock, "price-export", hour.minus(Duration.ofHours(5)), Duration.ofSeconds(90),
                retriedSevenTimes(100), null);
        JobRun priceLast = run(store, clock, "price-export", hour.minus(Duration.ofHours(2)), Duration.ofSeconds(90),
                retriedSevenTimes(100), null);
        assertThat(List.of(failed, healed, oldClean, clean, partial, priceLast)).extracting(r -> r.outcome().orElseThrow())
                .containsExactly(RunOutcome.FAILED, RunOutcome.HEALED, RunOutcome.CLEAN, RunOutcome.CLEAN,
                        RunOutcome.PARTIAL, RunOutcome.HEALED);
        return new Seeded(hour, partial, clean, oldClean, healed, failed, priceLast);
    }

    private static JobRun run(RunStore store, MutableClock clock, String job, Instant trigger, Duration took,
                              RunCounts counts, String failure) {
        clock.advance(Duration.between(clock.instant(), trigger));
        JobRun begun = store.begin(job, trigger);
        clock.advance(took);
        return store.end(begun.runId(), counts, failure).orElseThrow();
    }

    private static RunCounts clean(long records, String upstream) {
        return new RunCounts(records, records, 0, 0, Map.of(),
                Map.of(upstream, new UpstreamRunCounts(records, 0, Map.of())), Map.of(), 0, Duration.ZERO);
    }

    private static RunCounts retriedSevenTimes(long records) {
        return new RunCounts(records, 0, records, 0, Map.of(),
                Map.of("price-service", new UpstreamRunCounts(records * 8, records * 7, Map.of())),
                Map.of(DelaySource.BACKOFF, Duration.ofSeconds(records)), 0, Duration.ZERO);
    }

    static SelfhealCommandTest.Run jobs(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "jobs";
        System.arraycopy(args, 0, all, 1, args.length);
        return SelfhealCommandTest.run(all);
    }

    static String utc(Instant t) {
        return JobViews.time(t, ZoneOffset.UTC);
    }

    static List<String> lines(String text) {
        return text.lines().toList();
    }

    @Test
    void jobsListsEveryJobWithItsLastRunItsSuccessOver24hAnd7dAndFlagsTheDegradingOne() {
        SelfhealCommandTest.Run r = jobs();

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        List<String> lines = lines(r.out());
        assertThat(lines.get(0)).matches("JOB +LAST RUN \\(TRIGGER\\) +OUTCOME +RECORDS +DURATION +24H RUNS +SUCCESS "
                + "+7D RUNS +SUCCESS +ATT/SUCC");
        // 24 h: the PARTIAL and one CLEAN run; 7 d: those, a CLEAN, the HEALED and the FAILED one
        String inventory = lines.stream().filter(l -> l.startsWith("inventory-sync ")).findFirst().orElseThrow();
        assertThat(inventory.split(" +")).containsExactly("inventory-sync", utc(seeded.partial().triggerTime()),
                "PARTIAL", "5,000", "4m12s", "2", "50%", "5", "60%", "1.02");
        // in its configured zone (Berlin, +01:00 in winter), eight attempts per delivered record against one the day before
        String price = lines.stream().filter(l -> l.startsWith("price-export ")).findFirst().orElseThrow();
        assertThat(price.split(" +")).containsExactly("price-export",
                JobViews.time(seeded.priceLast().triggerTime(), ZoneId.of("Europe/Berlin")), "HEALED", "100", "1m30s",
                "2", "100%", "4", "100%", "8.00", "DEGRADING");
        assertThat(price).contains("+01:00");
        assertThat(lines).contains("price-export, last 24h against the 24h before: degrading: 8.00 attempts per "
                + "success (was 1.00), 100% of records retried (was 0%)");
        assertThat(lines).noneMatch(l -> l.startsWith("inventory-sync,"));

        assertThat(jobs("list").out()).isEqualTo(r.out());
    }

    @Test
    void jobsJsonCarriesTheSameForScripts() {
        SelfhealCommandTest.Run r = jobs("--json");

        assertThat(r.code()).as(r.err()).isZero();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) Json.readObject(r.out()).get("jobs");
        assertThat(jobs).extracting(j -> j.get("job")).containsExactly("inventory-sync", "price-export");
        assertThat(jobs).extracting(j -> j.get("degrading")).containsExactly(false, true);
        @SuppressWarnings("unchecked")
        Map<String, Object> last = (Map<String, Object>) jobs.get(0).get("lastRun");
        assertThat(last).containsEntry("runId", seeded.partial().runId()).containsEntry("outcome", "PARTIAL")
                .containsEntry("triggerTime", seeded.partial().triggerTime().toString());
        assertThat(((Number) last.get("durationMillis")).longValue()).isEqualTo(252_000L);
        assertThat(jobs("list", "--json").out()).isEqualTo(r.out());
    }

    @Test
    void runsListsAJobsRunsNewestFirstWithTheirCounts() {
        SelfhealCommandTest.Run r = jobs("runs", "inventory-sync");

        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = lines(r.out());
        assertThat(lines.get(0)).matches("RUN +TRIGGER +STARTED +DURATION +OUTCOME +RECORDS +FIRST TRY +RETRIED "
                + "+REPLAYED +PARKED");
        assertThat(lines.subList(1, lines.size())).extracting(l -> l.split(" +")[0]).containsExactly(
                seeded.partial().runId(), seeded.clean().runId(), seeded.oldClean().runId(), seeded.healed().runId(),
                seeded.failed().runId());
        String trigger = utc(seeded.partial().triggerTime());
        assertThat(lines.get(1).split(" +")).containsExactly(seeded.partial().runId(), trigger, trigger, "4m12s",
                "PARTIAL", "5,000", "4,900", "97", "0", "3", "(ATTEMPTS", "3)");
        assertThat(lines.get(4).split(" +")).containsExactly(seeded.healed().runId(),
                utc(seeded.healed().triggerTime()), utc(seeded.healed().started()), "3m00s", "HEALED", "5,000", "4,990",
                "10", "0", "0");
        assertThat(lines.get(5)).contains("FAILED").contains("40s");

        SelfhealCommandTest.Run two = jobs("runs", "inventory-sync", "--limit", "2");
        assertThat(lines(two.out()).subList(1, 3)).extracting(l -> l.split(" +")[0])
                .containsExactly(seeded.partial().runId(), seeded.clean().runId());
        assertThat(lines(two.out())).hasSize(3);

        SelfhealCommandTest.Run clean = jobs("runs", "inventory-sync", "--outcome", "clean");
        assertThat(clean.code()).isZero();
        assertThat(lines(clean.out()).subList(1, lines(clean.out()).size())).extracting(l -> l.split(" +")[0])
                .containsExactly(seeded.clean().runId(), seeded.oldClean().runId());
        assertThat(lines(jobs("runs", "inventory-sync", "--outcome", "CLEAN", "--limit", "1").out())).hasSize(2);

        SelfhealCommandTest.Run none = jobs("runs", "inventory-sync", "--outcome", "ABANDONED");
        assertThat(none.code()).isZero();
        assertThat(none.out()).isEqualTo("no ABANDONED runs of job inventory-sync recorded\n");

        // the job's own zone
        assertThat(lines(jobs("runs", "price-export").out()).get(1))
                .contains(JobViews.time(seeded.priceLast().triggerTime(), ZoneId.of("Europe/Berlin")));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> json = (List<Map<String, Object>>) Json.readObject(
                jobs("runs", "inventory-sync", "--outcome", "partial", "--json").out()).get("runs");
        assertThat(json).extracting(m -> m.get("runId")).containsExactly(seeded.partial().runId());
    }

    @Test
    void showOfAPartialRunPrintsEveryCountItsPageAndWhereItsParkedRecordsAre() {
        SelfhealCommandTest.Run r = jobs("show", seeded.partial().runId());

        assertThat(r.code()).as(r.err()).isZero();
        String trigger = utc(seeded.partial().triggerTime());
        String hhmm = trigger.substring(11, 16);
        assertThat(lines(r.out())).containsSubsequence(
                "Run " + seeded.partial().runId() + " of job inventory-sync",
                "  outcome          PARTIAL",
                "  trigger          " + trigger,
                "  started          " + trigger,
                "  ended            " + utc(seeded.partial().ended().orElseThrow()),
                "  duration         4m12s",
                "  instance         host-a",
                "  run attempts     1",
                "Records",
                "  records          5,000",
                "  first try        4,900",
                "  after retries    97",
                "  by replay        0",
                "  parked           3 (ATTEMPTS 3)",
                "  needed retries   100",
                "  parked, at most  8 attempts over 4m12s",
                "Upstreams",
                "  inventory-service 5,218 calls, 215 retries; parked records saw: 500 (24)",
                "Waits",
                "  backoff          9m00s",
                "  retry-after      30s",
                "Page",
                "  Job inventory-sync, run of " + hhmm + ": 3 of 5,000 records parked after retrying 8 times over "
                        + "4m12s; all attempts returned 500 from inventory-service (runbook: " + RUNBOOK + ")",
                "Parked records",
                "    parked list --status PARKED --upstream inventory-service");
        assertThat(r.out()).contains("3 still parked; the parked view lists by status and upstream, not by run")
                .doesNotContain("failure ");

        @SuppressWarnings("unchecked")
        Map<String, Object> json = Json.readObject(jobs("show", seeded.partial().runId(), "--json").out());
        assertThat(json).containsEntry("outcome", "PARTIAL").containsEntry("page", "Job inventory-sync, run of " + hhmm
                + ": 3 of 5,000 records parked after retrying 8 times over 4m12s; all attempts returned 500 from "
                + "inventory-service (runbook: " + RUNBOOK + ")");
        assertThat(json).containsEntry("noPage", null);
        assertThat(json.get("parkedList")).isEqualTo(List.of("parked list --status PARKED --upstream inventory-service"));
        assertThat((Map<String, Object>) json.get("counts")).containsEntry("records", 5_000);
    }

    @Test
    void showOfAFailedRunPrintsItsFailureAndPageAndAHealedRunPagesNothing() {
        SelfhealCommandTest.Run failed = jobs("show", seeded.failed().runId());
        assertThat(failed.code()).isZero();
        String hhmm = utc(seeded.failed().triggerTime()).substring(11, 16);
        assertThat(lines(failed.out())).contains("  failure          " + FETCH_FAILED,
                "  Job inventory-sync, run of " + hhmm + " failed: " + FETCH_FAILED + " (runbook: " + RUNBOOK + ")",
                "  none parked", "  none called", "  none");

        SelfhealCommandTest.Run healed = jobs("show", seeded.healed().runId());
        assertThat(lines(healed.out())).contains("  outcome          HEALED",
                "  none: nothing is missing (a CLEAN or HEALED run never pages)",
                "  inventory-service 5,020 calls, 20 retries", "  backoff          20s");
    }

    @Test
    void aRunStillRunningIsListedAndShownAsRunningAndPagesNothing() {
        seedClock.advance(Duration.between(seedClock.instant(), Instant.now().minus(Duration.ofMinutes(10))));
        JobRun running = store.begin("nightly-report", seedClock.instant());

        String line = lines(jobs().out()).stream().filter(l -> l.startsWith("nightly-report ")).findFirst().orElseThrow();
        assertThat(line.split(" +")).startsWith("nightly-report", utc(running.triggerTime()), "RUNNING", "0");
        // 1 run in each window, none ended: no success share, no attempts per success
        assertThat(line).endsWith("1        -         1        -          -");

        SelfhealCommandTest.Run show = jobs("show", running.runId());
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(lines(show.out())).contains("  outcome          RUNNING", "  ended            still running",
                "  none while the run is running");
        assertThat(show.out()).containsPattern("(?m)^  duration         1\\d?m\\d\\ds so far$");
    }

    @Test
    void anUnknownJobExitsOneWithTheNearestKnownJob() {
        SelfhealCommandTest.Run r = jobs("runs", "inventory-snyc");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("jobs: no runs recorded for job 'inventory-snyc'; did you mean "
                + "'inventory-sync'?\n");

        SelfhealCommandTest.Run far = jobs("runs", "nightly-ledger-backup", "--outcome", "FAILED");
        assertThat(far.code()).isEqualTo(1);
        assertThat(far.err()).isEqualTo("jobs: no runs recorded for job 'nightly-ledger-backup'; jobs with runs: "
                + "inventory-sync, price-export\n");
    }

    @Test
    void anUnknownRunExitsOneWithAClearLine() {
        SelfhealCommandTest.Run r = jobs("show", "3f2c0000-no-such-run");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("jobs: no run 3f2c0000-no-such-run recorded (jobs runs JOB lists a job's run "
                + "ids)\n");
    }

    @Test
    void anEmptyStoreSaysNoRunsAreRecorded() {
        String url = "jdbc:h2:file:" + dir.resolve("empty").toString().replace('\\', '/');
        configure(Map.of("selfheal.parked.url", url));

        SelfhealCommandTest.Run r = jobs();
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("no runs recorded (run store " + url + ", table selfheal_runs)\n");
        assertThat(jobs("--json").out()).isEqualTo("{\"jobs\":[]}\n");
        SelfhealCommandTest.Run runs = jobs("runs", "inventory-sync");
        assertThat(runs.code()).isEqualTo(1);
        assertThat(runs.err()).isEqualTo("jobs: no runs recorded for job 'inventory-sync'; no job has any run "
                + "recorded\n");
    }

    @Test
    void anUnreachableStoreExitsOneWithOneLineNamingItsUrlWithThePasswordMasked() {
        configure(Map.of("selfheal.parked.url", "jdbc:postgresql://127.0.0.1:1/test?password=hunter2",
                "selfheal.parked.username", "postgres", "selfheal.parked.password", "hunter2"));

        SelfhealCommandTest.Run r = jobs("runs", "inventory-sync");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(lines(r.err())).hasSize(1);
        assertThat(r.err()).startsWith("jobs: cannot open the run store at jdbc:postgresql://127.0.0.1:1/test?password=***")
                .doesNotContain("hunter2");
    }

    @Test
    void jobsHelpListsItsSubcommandsAndBadUsageExitsTwo() {
        SelfhealCommandTest.Run help = jobs("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).startsWith("Usage: java -jar selfheal.jar jobs")
                .containsPattern("(?m)^  list +Every job")
                .containsPattern("(?m)^  runs +One job's runs")
                .containsPattern("(?m)^  show +One run")
                .containsPattern("(?m)^  help +\\S")
                .contains("--json");
        assertThat(jobs("runs", "--help").out()).contains("JOB").contains("--limit=N").contains("(default: 20)")
                .contains("--outcome=OUTCOME").contains("CLEAN, HEALED, PARTIAL,").contains("ABANDONED").contains("--json");
        assertThat(jobs("show", "--help").out()).contains("RUN").contains("--json");
        assertThat(SelfhealCommandTest.run("--help").out()).containsPattern("(?m)^  jobs +Scheduled jobs");

        SelfhealCommandTest.Run missing = jobs("runs");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required parameter: 'JOB'");
        SelfhealCommandTest.Run zero = jobs("runs", "inventory-sync", "--limit", "0");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err()).contains("'0' is not a whole number of at least 1");
        SelfhealCommandTest.Run outcome = jobs("runs", "inventory-sync", "--outcome", "BROKEN");
        assertThat(outcome.code()).isEqualTo(2);
        assertThat(outcome.err()).contains("--outcome");
        assertThat(jobs("shw").err()).contains("Did you mean: jobs show?");
    }
}
