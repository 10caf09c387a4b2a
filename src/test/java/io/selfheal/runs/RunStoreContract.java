package io.selfheal.runs;

import io.selfheal.idempotency.TestDatabases;
import io.selfheal.jdbc.JdbcSettings;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.selfheal.runs.RunFixtures.TWO_AM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the run store does on every database; a subclass names the database. Each test has a table of its own; the
 * tests of several instances give each one a store of its own on that table, as separate processes have.
 */
abstract class RunStoreContract {
    protected final MutableClock clock = new MutableClock(TWO_AM);
    protected String table;
    protected final List<RunStore> stores = new ArrayList<>();
    protected RunStore store;

    abstract TestDatabases database();

    @BeforeEach
    void openStore() {
        table = ("runs_" + getClass().getSimpleName() + "_" + UUID.randomUUID().toString().substring(0, 8))
                .toLowerCase(Locale.ROOT);
        store = store("host-a");
    }

    @AfterEach
    void dropTable() {
        stores.forEach(RunStore::close);
        database().dropQuietly(table);
    }

    /** Another store on the same table: another process, or the same one restarted when the instance id is the same. */
    protected RunStore store(String instanceId) {
        TestDatabases db = database();
        RunStore s = new RunStore(new JdbcSettings(db.url, db.user, db.password, 8, Duration.ofSeconds(5)), table,
                instanceId, clock);
        stores.add(s);
        return s;
    }

    @Test
    void aRunBeginsRunning() {
        JobRun run = store.begin("inventory-sync", TWO_AM);
        assertThat(run.job()).isEqualTo("inventory-sync");
        assertThat(run.instanceId()).isEqualTo("host-a");
        assertThat(run.triggerTime()).isEqualTo(TWO_AM);
        assertThat(run.started()).isEqualTo(TWO_AM);
        assertThat(run.state()).isEqualTo(RunState.RUNNING);
        assertThat(run.ended()).isEmpty();
        assertThat(run.outcome()).isEmpty();
        assertThat(run.counts()).isEqualTo(RunCounts.EMPTY);
        assertThat(run.attempts()).isEqualTo(1);
        assertThat(run.heartbeat()).isEqualTo(TWO_AM);
        assertThat(store.find(run.runId())).contains(run);
        assertThat(store.find("no-such-run")).isEmpty();
    }

    @Test
    void neverTwoRunsOfOneJobAtOnceOnOneInstance() {
        JobRun first = store.begin("inventory-sync", TWO_AM);
        assertThatThrownBy(() -> store.begin("inventory-sync", TWO_AM.plusSeconds(60)))
                .isInstanceOf(RunInProgressException.class)
                .hasMessage("job inventory-sync already has a run in progress on instance host-a");
        // another job, and the same job on another instance, may run
        store.begin("nightly-export", TWO_AM);
        store("host-b").begin("inventory-sync", TWO_AM);
        // once the first ended, the job may run again here
        store.end(first.runId(), RunFixtures.clean(1), null);
        JobRun next = store.begin("inventory-sync", TWO_AM.plusSeconds(900));
        assertThat(next.running()).isTrue();
        assertThat(store.runsOf("inventory-sync", 10)).hasSize(3);
    }

    @Test
    void countsAndHeartbeatsAreKeptWhileRunning() {
        JobRun run = store.begin("inventory-sync", TWO_AM);
        clock.advance(Duration.ofSeconds(30));
        assertThat(store.heartbeat(run.runId())).isTrue();
        assertThat(store.find(run.runId()).orElseThrow().heartbeat()).isEqualTo(TWO_AM.plusSeconds(30));
        clock.advance(Duration.ofSeconds(30));
        assertThat(store.updateCounts(run.runId(), RunFixtures.seed())).isTrue();
        JobRun now = store.find(run.runId()).orElseThrow();
        assertThat(now.counts()).isEqualTo(RunFixtures.seed());
        assertThat(now.heartbeat()).isEqualTo(TWO_AM.plusSeconds(60));
        assertThat(now.running()).isTrue();
    }

    @Test
    void endJudgesTheOutcomeFromTheFinalCounts() {
        assertThat(endWith(RunFixtures.clean(100), null).outcome()).contains(RunOutcome.CLEAN);
        assertThat(endWith(RunFixtures.retriedEveryRecord(100, 6), null).outcome()).contains(RunOutcome.HEALED);
        JobRun partial = endWith(RunFixtures.seed(), null);
        assertThat(partial.outcome()).contains(RunOutcome.PARTIAL);
        assertThat(partial.counts()).isEqualTo(RunFixtures.seed());
        JobRun failed = endWith(RunCounts.EMPTY, "the fetch of inventory.csv gave up: ATTEMPTS");
        assertThat(failed.outcome()).contains(RunOutcome.FAILED);
        assertThat(failed.failure()).contains("the fetch of inventory.csv gave up: ATTEMPTS");
    }

    private JobRun endWith(RunCounts counts, String failure) {
        JobRun run = store.begin("job-" + UUID.randomUUID(), TWO_AM);
        clock.advance(Duration.ofMinutes(5));
        JobRun ended = store.end(run.runId(), counts, failure).orElseThrow();
        assertThat(ended.state()).isEqualTo(RunState.ENDED);
        assertThat(ended.ended()).contains(clock.instant());
        assertThat(ended.duration(clock.instant())).isEqualTo(Duration.ofMinutes(5));
        return ended;
    }

    @Test
    void anEndedRunCannotEndOrChangeAgain() {
        JobRun run = store.begin("inventory-sync", TWO_AM);
        store.end(run.runId(), RunFixtures.clean(5), null).orElseThrow();
        assertThat(store.end(run.runId(), RunFixtures.seed(), "late")).isEmpty();
        assertThat(store.heartbeat(run.runId())).isFalse();
        assertThat(store.updateCounts(run.runId(), RunFixtures.seed())).isFalse();
        assertThat(store.retryWhole(run.runId())).isEmpty();
        JobRun still = store.find(run.runId()).orElseThrow();
        assertThat(still.outcome()).contains(RunOutcome.CLEAN);
        assertThat(still.counts()).isEqualTo(RunFixtures.clean(5));
        assertThat(store.end("no-such-run", RunCounts.EMPTY, null)).isEmpty();
    }

    @Test
    void aRunRetriedAsAWholeCountsItsAttemptsAndHealsWhenItThenSucceeds() {
        JobRun run = store.begin("inventory-sync", TWO_AM);
        assertThat(store.retryWhole(run.runId())).contains(2);
        assertThat(store.retryWhole(run.runId())).contains(3);
        JobRun ended = store.end(run.runId(), RunFixtures.clean(10), null).orElseThrow();
        assertThat(ended.attempts()).isEqualTo(3);
        assertThat(ended.outcome()).contains(RunOutcome.HEALED);
    }

    @Test
    void runsWhoseHeartbeatStoppedAreAbandoned() {
        JobRun dead = store.begin("inventory-sync", TWO_AM);
        JobRun alive = store.begin("nightly-export", TWO_AM);
        store.updateCounts(dead.runId(), RunFixtures.parked(50, 2));
        clock.advance(Duration.ofSeconds(90));
        store.heartbeat(alive.runId());
        clock.advance(Duration.ofSeconds(40));

        List<JobRun> abandoned = store.abandonStale(Duration.ofMinutes(1));

        assertThat(abandoned).extracting(JobRun::runId).containsExactly(dead.runId());
        JobRun found = store.find(dead.runId()).orElseThrow();
        assertThat(found.state()).isEqualTo(RunState.ENDED);
        assertThat(found.outcome()).contains(RunOutcome.ABANDONED);
        assertThat(found.ended()).as("it ended when it was last heard of").contains(TWO_AM);
        assertThat(found.failure()).contains("instance host-a sent no heartbeat for over 1m00s (found by host-a)");
        assertThat(found.counts()).as("what it had done is kept").isEqualTo(RunFixtures.parked(50, 2));
        assertThat(store.find(alive.runId()).orElseThrow().running()).isTrue();
        assertThat(store.abandonStale(Duration.ofMinutes(1))).as("once").isEmpty();
        // the abandoned run no longer blocks its job
        assertThat(store.begin("inventory-sync", clock.instant()).running()).isTrue();
    }

    @Test
    void atItsStartAnInstanceAbandonsItsOwnInterruptedRuns() {
        JobRun mine = store.begin("inventory-sync", TWO_AM);
        JobRun ended = store.begin("nightly-export", TWO_AM);
        store.end(ended.runId(), RunFixtures.clean(1), null);
        JobRun theirs = store("host-b").begin("inventory-sync", TWO_AM);

        RunStore restarted = store("host-a");
        List<JobRun> abandoned = restarted.abandonOwnRuns();

        assertThat(abandoned).extracting(JobRun::runId).containsExactly(mine.runId());
        assertThat(abandoned.get(0).outcome()).contains(RunOutcome.ABANDONED);
        assertThat(abandoned.get(0).failure()).contains("instance host-a stopped while the run was in progress");
        assertThat(restarted.find(theirs.runId()).orElseThrow().running()).isTrue();
        assertThat(restarted.find(ended.runId()).orElseThrow().outcome()).contains(RunOutcome.CLEAN);
        assertThat(restarted.begin("inventory-sync", TWO_AM.plusSeconds(900)).running()).isTrue();
    }

    @Test
    void runsOfAJobNewestFirstAndEveryJobWithItsLastRun() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            JobRun run = store.begin("inventory-sync", clock.instant());
            ids.add(0, run.runId());
            clock.advance(Duration.ofMinutes(15));
            store.end(run.runId(), RunFixtures.clean(i), null);
        }
        JobRun export = store.begin("nightly-export", clock.instant());

        assertThat(store.runsOf("inventory-sync", 3)).extracting(JobRun::runId).containsExactlyElementsOf(ids.subList(0, 3));
        assertThat(store.runsOf("inventory-sync", 100)).extracting(JobRun::runId).containsExactlyElementsOf(ids);
        assertThat(store.runsOf("other", 10)).isEmpty();
        assertThat(store.runsSince("inventory-sync", TWO_AM.plus(Duration.ofMinutes(30))))
                .extracting(JobRun::runId).containsExactlyElementsOf(ids.subList(0, 3));
        assertThat(store.lastRuns()).containsOnlyKeys("inventory-sync", "nightly-export");
        assertThat(store.lastRuns().get("inventory-sync").runId()).isEqualTo(ids.get(0));
        assertThat(store.lastRuns().get("nightly-export")).isEqualTo(export);
    }

    @Test
    void purgeDeletesOnlyEndedRunsOlderThanTheRetention() {
        JobRun old = store.begin("inventory-sync", TWO_AM);
        store.end(old.runId(), RunFixtures.clean(1), null);
        JobRun oldOther = store.begin("nightly-export", TWO_AM);
        store.end(oldOther.runId(), RunFixtures.clean(1), null);
        JobRun stillRunning = store.begin("weekly-report", TWO_AM);
        clock.advance(Duration.ofDays(31));
        JobRun recent = store.begin("inventory-sync", clock.instant());
        store.end(recent.runId(), RunFixtures.clean(1), null);

        assertThat(store.purgeEnded("inventory-sync", Duration.ofDays(30))).isEqualTo(1);
        assertThat(store.find(old.runId())).isEmpty();
        assertThat(store.find(oldOther.runId())).as("another job's").isPresent();
        assertThat(store.purgeEnded(null, Duration.ofDays(30))).isEqualTo(1);
        assertThat(store.find(oldOther.runId())).isEmpty();
        assertThat(store.find(stillRunning.runId())).as("running runs are kept").isPresent();
        assertThat(store.find(recent.runId())).isPresent();
    }

    @Test
    void aReplayMovesTheRunsCountsAndAPartialRunHealsWhenEveryParkedRecordIsDelivered() {
        JobRun run = store.begin("inventory-sync", TWO_AM);
        JobRun partial = store.end(run.runId(), RunFixtures.seed(), null).orElseThrow();
        assertThat(partial.outcome()).contains(RunOutcome.PARTIAL);

        JobRun one = store.deliveredByReplay(run.runId(), GiveUpReason.ATTEMPTS).orElseThrow();
        assertThat(one.counts().parked()).isEqualTo(2);
        assertThat(one.counts().deliveredLater()).isEqualTo(1);
        assertThat(one.outcome()).contains(RunOutcome.PARTIAL);
        assertThat(store.deliveredByReplay(run.runId(), GiveUpReason.PERMANENT)).as("none parked as PERMANENT").isEmpty();
        store.deliveredByReplay(run.runId(), GiveUpReason.ATTEMPTS).orElseThrow();
        JobRun healed = store.deliveredByReplay(run.runId(), GiveUpReason.ATTEMPTS).orElseThrow();
        assertThat(healed.counts().parked()).isZero();
        assertThat(healed.counts().deliveredLater()).isEqualTo(3);
        assertThat(healed.counts().delivered()).isEqualTo(5_000);
        assertThat(healed.outcome()).contains(RunOutcome.HEALED);
        assertThat(store.deliveredByReplay(run.runId(), GiveUpReason.ATTEMPTS)).as("a fourth delivery of three").isEmpty();
        assertThat(store.find(run.runId()).orElseThrow().counts().deliveredLater()).isEqualTo(3);
        assertThat(store.deliveredByReplay("no-such-run", GiveUpReason.ATTEMPTS)).isEmpty();
    }

    @Test
    void failedAndAbandonedRunsStayWhatTheyWereWhenTheirRecordsAreReplayed() {
        JobRun failed = store.begin("inventory-sync", TWO_AM);
        store.end(failed.runId(), RunFixtures.parked(10, 1), "the fetch gave up");
        assertThat(store.deliveredByReplay(failed.runId(), GiveUpReason.ATTEMPTS).orElseThrow().outcome())
                .contains(RunOutcome.FAILED);

        JobRun dead = store.begin("nightly-export", TWO_AM);
        store.updateCounts(dead.runId(), RunFixtures.parked(10, 1));
        clock.advance(Duration.ofMinutes(5));
        store.abandonStale(Duration.ofMinutes(1));
        JobRun after = store.deliveredByReplay(dead.runId(), GiveUpReason.ATTEMPTS).orElseThrow();
        assertThat(after.outcome()).contains(RunOutcome.ABANDONED);
        assertThat(after.counts().parked()).isZero();
    }

    @Test
    void aReplayDuringTheRunIsNotLostWhenTheRunWritesItsFinalCounts() {
        JobRun run = store.begin("inventory-sync", TWO_AM);
        store.updateCounts(run.runId(), RunFixtures.parked(10, 2));
        assertThat(store.deliveredByReplay(run.runId(), GiveUpReason.ATTEMPTS)).isPresent();
        assertThat(store.find(run.runId()).orElseThrow().outcome()).isEmpty();
        JobRun ended = store.end(run.runId(), RunFixtures.parked(10, 2), null).orElseThrow();
        assertThat(ended.counts().parked()).isEqualTo(1);
        assertThat(ended.counts().deliveredLater()).isEqualTo(1);
        assertThat(ended.outcome()).contains(RunOutcome.PARTIAL);
        assertThat(store.deliveredByReplay(run.runId(), GiveUpReason.ATTEMPTS).orElseThrow().outcome())
                .contains(RunOutcome.HEALED);
    }

    @Test
    void concurrentReplaysOfOneRunEachCountOnce() throws Exception {
        int parked = 40;
        JobRun run = store.begin("inventory-sync", TWO_AM);
        store.end(run.runId(), RunFixtures.parked(1_000, parked), null);
        List<RunStore> replayers = List.of(store, store("host-b"));
        int tries = parked + 10;
        ExecutorService pool = Executors.newFixedThreadPool(6);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try {
            for (int i = 0; i < tries; i++) {
                RunStore s = replayers.get(i % 2);
                results.add(pool.submit(() -> {
                    start.await();
                    return s.deliveredByReplay(run.runId(), GiveUpReason.ATTEMPTS).isPresent();
                }));
            }
            start.countDown();
            int moved = 0;
            for (Future<Boolean> f : results) {
                moved += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(moved).isEqualTo(parked);
        } finally {
            pool.shutdownNow();
        }
        JobRun after = store.find(run.runId()).orElseThrow();
        assertThat(after.counts().parked()).isZero();
        assertThat(after.counts().deliveredLater()).isEqualTo(parked);
        assertThat(after.outcome()).contains(RunOutcome.HEALED);
    }

    @Test
    void aWrongJobNameOrTableIsRefused() {
        assertThatThrownBy(() -> store.begin(" ", TWO_AM)).hasMessageContaining("job name");
        assertThatThrownBy(() -> store.begin("x".repeat(256), TWO_AM)).hasMessageContaining("job name");
        TestDatabases db = database();
        JdbcSettings jdbc = new JdbcSettings(db.url, db.user, db.password, 2, Duration.ofSeconds(5));
        assertThatThrownBy(() -> new RunStore(jdbc, "runs; DROP TABLE x", "host-a", clock))
                .hasMessageContaining("invalid runs table name");
        assertThatThrownBy(() -> new RunStore(jdbc, table, "", clock)).hasMessageContaining("instance id");
        assertThat(Optional.of(store.instanceId())).contains("host-a");
    }

    // several instances on one database: each a store of its own on the same table

    @Test
    void theSurvivorFindsTheDeadInstancesRunAndTheDeadOneCannotEndItAfterwards() {
        RunStore a = store;
        RunStore b = store("host-b");
        JobRun run = a.begin("inventory-sync", TWO_AM);
        a.updateCounts(run.runId(), RunFixtures.parked(500, 3));
        JobRun own = b.begin("nightly-export", TWO_AM);
        clock.advance(Duration.ofMinutes(2));
        b.heartbeat(own.runId()); // host-b is alive, host-a went quiet

        List<JobRun> found = b.abandonStale(Duration.ofMinutes(1));

        assertThat(found).extracting(JobRun::runId).containsExactly(run.runId());
        JobRun abandoned = found.get(0);
        assertThat(abandoned.instanceId()).isEqualTo("host-a");
        assertThat(abandoned.outcome()).contains(RunOutcome.ABANDONED);
        assertThat(abandoned.failure()).contains("instance host-a sent no heartbeat for over 1m00s (found by host-b)");
        assertThat(abandoned.counts()).isEqualTo(RunFixtures.parked(500, 3));
        // host-a comes back from a long pause: its run is over, nothing it writes changes it
        assertThat(a.heartbeat(run.runId())).isFalse();
        assertThat(a.updateCounts(run.runId(), RunFixtures.clean(500))).isFalse();
        assertThat(a.end(run.runId(), RunFixtures.clean(500), null)).isEmpty();
        assertThat(b.find(run.runId())).contains(abandoned);
        assertThat(b.find(own.runId()).orElseThrow().running()).isTrue();
    }

    @Test
    void twoSurvivorsAbandonADeadRunOnceBetweenThem() throws Exception {
        List<String> dead = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            dead.add(store.begin("job-" + i, TWO_AM).runId());
        }
        clock.advance(Duration.ofMinutes(5));
        RunStore b = store("host-b");
        RunStore c = store("host-c");
        List<List<JobRun>> found = race(() -> b.abandonStale(Duration.ofMinutes(1)),
                () -> c.abandonStale(Duration.ofMinutes(1)));
        List<String> marked = new ArrayList<>();
        found.forEach(f -> f.forEach(r -> marked.add(r.runId())));
        assertThat(marked).containsExactlyInAnyOrderElementsOf(dead);
        for (String id : dead) {
            assertThat(store.find(id).orElseThrow().outcome()).contains(RunOutcome.ABANDONED);
        }
    }

    @Test
    void aRunEndingWhileASurvivorAbandonsItIsEitherEndedOrAbandonedNeverBoth() throws Exception {
        for (int i = 0; i < 10; i++) {
            JobRun run = store.begin("inventory-sync", clock.instant());
            clock.advance(Duration.ofMinutes(5));
            RunStore b = store("host-b-" + i);
            List<Object> results = race(() -> store.end(run.runId(), RunFixtures.clean(10), null).isPresent(),
                    () -> !b.abandonStale(Duration.ofMinutes(1)).isEmpty());
            assertThat(results).as("exactly one of end and abandon wins").containsExactlyInAnyOrder(true, false);
            JobRun after = store.find(run.runId()).orElseThrow();
            assertThat(after.outcome()).contains((Boolean) results.get(0) ? RunOutcome.CLEAN : RunOutcome.ABANDONED);
        }
    }

    @Test
    void twoProcessesWithOneInstanceIdNeverRunOneJobTwice() throws Exception {
        RunStore twin = store("host-a");
        for (int i = 0; i < 10; i++) {
            List<Object> started = race(() -> tryBegin(store), () -> tryBegin(twin));
            assertThat(started).containsExactlyInAnyOrder(true, false);
            JobRun running = store.lastRuns().get("inventory-sync");
            store.end(running.runId(), RunFixtures.clean(1), null);
            clock.advance(Duration.ofMinutes(15));
        }
        assertThat(store.runsOf("inventory-sync", 100)).hasSize(10);
    }

    private boolean tryBegin(RunStore s) {
        try {
            s.begin("inventory-sync", clock.instant());
            return true;
        } catch (RunInProgressException e) {
            return false;
        }
    }

    @SafeVarargs
    private static <T> List<T> race(Callable<? extends T>... tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.length);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<? extends T>> futures = new ArrayList<>();
            for (Callable<? extends T> t : tasks) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return t.call();
                }));
            }
            start.countDown();
            List<T> out = new ArrayList<>();
            for (Future<? extends T> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}

