package io.selfheal.camel.runs;

import io.selfheal.camel.InstalledBeans;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.escalation.GiveUp;
import io.selfheal.camel.escalation.Escalator;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStore;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.retry.RetryPolicy;
import io.selfheal.jdbc.JdbcSettings;
import io.selfheal.runs.JobRun;
import io.selfheal.runs.JobSettings;
import io.selfheal.runs.MisfirePolicy;
import io.selfheal.runs.RunCounts;
import io.selfheal.runs.RunHeartbeat;
import io.selfheal.runs.RunInProgressException;
import io.selfheal.runs.RunStore;
import io.selfheal.runs.RunStoreException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Optional;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The runs of the jobs of one CamelContext: the {@link RunStore} (in the parked store's database), the runs in
 * progress here, their heartbeat, and what happens when one ends (the log line, and the listeners: meters, the page).
 * Bound as {@value #BEAN_NAME}; a Camel service: at its start this instance's runs its previous life left RUNNING
 * become ABANDONED, and every heartbeat interval (selfheal.jobs.heartbeat-interval) the counts of each run in progress
 * are written (its heartbeat) and runs of any instance silent for selfheal.jobs.abandon-after are marked ABANDONED.
 */
public final class JobRuns extends ServiceSupport {
    public static final String BEAN_NAME = "selfhealRuns";
    static final Logger LOG = LoggerFactory.getLogger("io.selfheal.runs");
    /** The default heartbeat interval (selfheal.jobs.heartbeat-interval): a run in progress writes its counts. */
    public static final Duration HEARTBEAT = RunHeartbeat.DEFAULT_INTERVAL;
    /** The default of selfheal.jobs.abandon-after: a RUNNING run without a heartbeat for this long is ABANDONED. */
    public static final Duration STALE_AFTER = RunHeartbeat.DEFAULT_ABANDON_AFTER;
    /** How often a queued firing looks whether the context stops while it waits. */
    private static final Duration WAIT_CHECK = Duration.ofMillis(500);
    /** Ended runs past their job's retention are deleted this often. */
    private static final Duration PURGE_EVERY = Duration.ofHours(1);

    private final CamelContext context;
    private final SelfhealRuntime runtime;
    private final ParkedStore parked;
    private final JdbcSettings jdbc;
    private final String instanceId;
    private final Clock clock;
    private final Map<String, ActiveRun> active = new ConcurrentHashMap<>();
    private final Set<String> jobs = ConcurrentHashMap.newKeySet();
    /** Per job, its run in progress on this instance, the firing waiting for it (QUEUE), and their monitor. */
    private final Map<String, ActiveRun> running = new ConcurrentHashMap<>();
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final List<Consumer<JobRun>> onEnded = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final RunMeters meters;
    private volatile RunStore store;
    private volatile ScheduledExecutorService ticker;
    /** Where the runs that start again as a whole wait, off their consumer's thread. */
    private volatile ScheduledExecutorService retries;
    private volatile Instant lastPurge = Instant.EPOCH;

    JobRuns(CamelContext context, SelfhealRuntime runtime, ParkedStore parked, String instanceId, Clock clock) {
        this.context = context;
        this.runtime = runtime;
        this.parked = parked;
        this.jdbc = parked.config().jdbc();
        this.instanceId = instanceId;
        this.clock = clock;
        this.meters = new RunMeters(runtime.meters());
    }

    RunMeters meters() {
        return meters;
    }

    public static JobRuns of(CamelContext context) {
        JobRuns runs = InstalledBeans.lookup(context, BEAN_NAME, JobRuns.class);
        if (runs == null) {
            throw new IllegalStateException("Selfheal runs are not installed in CamelContext " + context.getName());
        }
        return runs;
    }

    /** The run store, once the context has started. */
    public RunStore store() {
        RunStore s = store;
        if (s == null) {
            throw new IllegalStateException("the run store opens when the CamelContext starts");
        }
        return s;
    }

    public String instanceId() {
        return instanceId;
    }

    /** The jobs of this context: the routes recorded as jobs. */
    public Set<String> jobs() {
        return Set.copyOf(jobs);
    }

    JobSettings settingsOf(String job) {
        return runtime.config().jobFor(job);
    }

    void addJob(String job) {
        jobs.add(job);
    }

    /** Called with each run this instance ends or finds abandoned. */
    void onEnded(Consumer<JobRun> listener) {
        onEnded.add(listener);
    }

    @Override
    protected void doStart() {
        store = new RunStore(jdbc, RunStore.DEFAULT_TABLE, instanceId, clock);
        for (JobRun run : store.abandonOwnRuns()) {
            LOG.warn("run {} of job {} (started {}) was in progress when this instance last stopped: ABANDONED",
                    run.runId(), run.job(), run.started());
            ended(run);
        }
        ticker = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "selfheal-runs");
        long every = runtime.config().runHeartbeat().interval().toMillis();
        ticker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
        retries = context.getExecutorServiceManager().newScheduledThreadPool(this, "selfheal-run-retries", 1);
    }

    @Override
    protected void doStop() {
        if (ticker != null) {
            context.getExecutorServiceManager().shutdownNow(ticker);
            ticker = null;
        }
        if (retries != null) {
            context.getExecutorServiceManager().shutdownNow(retries);
            retries = null;
        }
        // runs still in progress stay RUNNING: the next start of this instance finds them ABANDONED
        if (store != null) {
            store.close();
        }
    }

    /** Heartbeats, abandoned runs of other instances, and, hourly, the purge of old runs. Never throws. */
    void tick() {
        try {
            for (ActiveRun run : active.values()) {
                store.updateCounts(run.runId(), run.tally().snapshot());
            }
            for (JobRun run : store.abandonStale(runtime.config().runHeartbeat().abandonAfter())) {
                LOG.warn("run {} of job {} on instance {}: ABANDONED ({})", run.runId(), run.job(), run.instanceId(),
                        run.failure().orElse(""));
                ended(run);
            }
            Instant now = clock.instant();
            if (Duration.between(lastPurge, now).compareTo(PURGE_EVERY) >= 0) {
                lastPurge = now;
                for (String job : jobs) {
                    int purged = store.purgeEnded(job, settingsOf(job).retention());
                    if (purged > 0) {
                        LOG.info("job {}: {} ended run(s) older than its retention deleted", job, purged);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("run store: {}", e.getMessage());
        }
    }

    /** What a firing of a job's schedule does: run (recorded, or not when the store refused it), or nothing. */
    record Firing(ActiveRun run, boolean dropped) {
        static final Firing DROPPED = new Firing(null, true);
        static final Firing UNRECORDED = new Firing(null, false);
    }

    /**
     * A firing of {@code job}'s schedule: begins its run, unless the job's previous run is still in progress here;
     * then the job's {@link MisfirePolicy} decides: SKIP drops the firing, QUEUE waits (on the firing's thread) until
     * the run ends and then begins, at most one firing waiting per job; a firing dropped is counted.
     */
    Firing fire(String job, Exchange exchange, boolean splits) {
        MisfirePolicy policy = settingsOf(job).misfire();
        Object lock = locks.computeIfAbsent(job, j -> new Object());
        synchronized (lock) {
            if (running.containsKey(job)) {
                if (policy != MisfirePolicy.QUEUE || !waiting.add(job)) {
                    return dropped(job, policy, "its run " + running.get(job).runId() + " is still in progress");
                }
                try {
                    while (running.containsKey(job) && isRunAllowed() && !context.isStopping()) {
                        lock.wait(WAIT_CHECK.toMillis());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return dropped(job, policy, "interrupted while it waited for the run in progress");
                } finally {
                    waiting.remove(job);
                }
                if (running.containsKey(job) || context.isStopping()) {
                    return dropped(job, policy, "the context stops");
                }
            }
            ActiveRun run = begin(job, exchange, splits);
            if (run == null) {
                return Firing.UNRECORDED;
            }
            running.put(job, run);
            return new Firing(run, false);
        }
    }

    private Firing dropped(String job, MisfirePolicy policy, String why) {
        LOG.warn("job {}: a firing of its schedule is dropped (misfire policy {}): {}", job,
                policy.name().toLowerCase(java.util.Locale.ROOT), why);
        runtime.meters().jobMisfire(job, policy.name().toLowerCase(java.util.Locale.ROOT));
        return Firing.DROPPED;
    }

    /** Begins a run for an exchange the job's schedule created; null when it is not recorded (said in the log). */
    private ActiveRun begin(String job, Exchange exchange, boolean splits) {
        try {
            JobRun run = store().begin(job, triggerTime(exchange));
            ActiveRun a = new ActiveRun(run, exchange.getExchangeId(), splits);
            active.put(run.runId(), a);
            LOG.info("run {} of job {} started", run.runId(), job);
            return a;
        } catch (RunInProgressException e) {
            // another context of this instance runs it on the same database
            LOG.warn("job {}: the store has a run of it in progress on this instance; this firing runs unrecorded", job);
            return null;
        } catch (RunStoreException | IllegalStateException e) {
            LOG.warn("job {}: the run is not recorded: {}", job, e.getMessage());
            return null;
        }
    }

    /** The job's run is over here: a firing that waits for it may begin. */
    private void released(ActiveRun run) {
        Object lock = locks.computeIfAbsent(run.job(), j -> new Object());
        synchronized (lock) {
            running.remove(run.job(), run);
            lock.notifyAll();
        }
    }

    /**
     * The run's exchange is done. When the run itself failed before any record (its fetch gave up, or its exchange
     * failed) and a whole-run retry is left, the run starts again later (still this job's run in progress); otherwise
     * it ends: its final counts, judged; FAILED when the run itself failed.
     */
    void end(ActiveRun run, Exchange exchange) {
        boolean again = false;
        try {
            String own = null;
            if (!run.splits()) {
                RunRecords.judgeWhole(run, exchange);
            } else {
                GiveUp g = exchange.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class);
                if (g != null) {
                    own = "its own step gave up outside any record: " + g.summary();
                }
            }
            if (exchange.isFailed()) {
                Exception e = exchange.getException();
                String failed = "the run failed: " + RunRecords.describe(e) + (e == null || e.getMessage() == null
                        ? "" : ": " + runtime.redactor().sample(e.getMessage(), 300));
                own = own == null ? failed : own;
            }
            if (own != null && run.splits() && run.tally().snapshot().records() == 0) {
                String notAgain = retryWhole(run, exchange, own);
                again = notAgain == null;
                if (again) {
                    return;
                }
                own = own + "; " + notAgain;
            }
            if (own != null) {
                run.failed(own);
            }
            finish(run);
        } catch (RuntimeException e) {
            LOG.warn("run {} of job {}: its end is not recorded: {}", run.runId(), run.job(), e.getMessage());
        } finally {
            if (!again) {
                active.remove(run.runId());
                released(run);
            }
        }
    }

    private void finish(ActiveRun run) {
        RunCounts counts = run.tally().snapshot();
        store().end(run.runId(), counts, run.failure()).ifPresentOrElse(this::ended,
                () -> LOG.warn("run {} of job {} was no longer running when it ended (found abandoned?)",
                        run.runId(), run.job()));
    }

    /**
     * Schedules the run's next start as a whole, after the wait the failed step's upstream retry policy gives for
     * this attempt; null when scheduled, else why not ("whole-run retries exhausted", the deadline).
     */
    private String retryWhole(ActiveRun run, Exchange exchange, String why) {
        int max = settingsOf(run.job()).runMaxAttempts();
        if (run.starts() >= max) {
            return max == 1 ? "no whole-run retry (run-max-attempts=1)"
                    : "whole-run retries exhausted (" + run.starts() + " of " + max + " starts)";
        }
        ScheduledExecutorService pool = retries;
        if (run.firing() == null || pool == null) {
            return "the run cannot be started again";
        }
        GiveUp g = exchange.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class);
        String upstream = g != null && g.upstream() != null ? g.upstream()
                : exchange.getProperty(SelfhealProperties.UPSTREAM, String.class);
        RetryPolicy policy = upstream == null ? runtime.config().defaultPolicy() : runtime.policyFor(upstream);
        Duration wait = policy.transientCurve().delay(run.starts(), ThreadLocalRandom.current());
        Instant at = clock.instant().plus(wait);
        if (run.deadline() != null && at.isAfter(run.deadline())) {
            return "deadline: its next start (in " + wait.toMillis() + " ms) would be after the run's deadline "
                    + run.deadline();
        }
        if (store().retryWhole(run.runId()).isEmpty()) {
            return "the run was no longer running";
        }
        supersede(run, exchange);
        LOG.warn("run {} of job {} starts again as a whole in {} ms (start {} of {}): {}", run.runId(), run.job(),
                wait.toMillis(), run.starts() + 1, max, why);
        pool.schedule(() -> restart(run), wait.toMillis(), TimeUnit.MILLISECONDS);
        return null;
    }

    /**
     * The escalation parked the run's exchange when its fetch gave up; the run's next start stands for it, so that
     * record is discarded: a replay of it would run the job again beside its run. Only the last start's stays parked.
     */
    private void supersede(ActiveRun run, Exchange exchange) {
        Long id = exchange.getProperty(Escalator.PARKED_ID, Long.class);
        if (id == null) {
            return;
        }
        try {
            if (parked.discard(id, "selfheal", "run " + run.runId() + " of job " + run.job()
                    + " starts again as a whole")) {
                LOG.info("run {} of job {}: parked #{} discarded, the run's next start stands for it", run.runId(),
                        run.job(), id);
            }
        } catch (RuntimeException e) {
            LOG.warn("run {} of job {}: parked #{} could not be discarded: {}", run.runId(), run.job(), id,
                    e.getMessage());
        }
    }

    /** The run's next start: a fresh copy of its firing's exchange through its route, as its consumer sends one. */
    private void restart(ActiveRun run) {
        try {
            if (!isRunAllowed() || context.isStopping()) {
                // stays RUNNING: the next start of this instance finds it ABANDONED
                active.remove(run.runId());
                released(run);
                return;
            }
            Exchange fresh = run.firing().copy();
            fresh.setExchangeId(context.getUuidGenerator().generateUuid());
            run.restartedAs(fresh.getExchangeId());
            JobRoutes.attach(fresh, run);
            AsyncProcessorConverterHelper.convert(run.route().getProcessor()).process(fresh, done -> { });
        } catch (RuntimeException e) {
            run.failed("the run could not be started again: " + e);
            try {
                finish(run);
            } catch (RuntimeException again) {
                LOG.warn("run {} of job {}: its end is not recorded: {}", run.runId(), run.job(), again.getMessage());
            } finally {
                active.remove(run.runId());
                released(run);
            }
        }
    }

    /** A replay delivered a parked record: if it belongs to a run, the run's counts move. */
    void deliveredByReplay(ParkedMessage record) {
        if (record.runId() == null) {
            return;
        }
        Optional<GiveUpReason> reason = Arrays.stream(GiveUpReason.values())
                .filter(r -> r.name().equals(record.giveUpReason())).findFirst();
        if (reason.isEmpty()) {
            return;
        }
        store().deliveredByReplay(record.runId(), reason.get()).ifPresent(run -> {
            LOG.info("run {} of job {}: parked record #{} delivered by replay; {} parked, outcome {}", run.runId(),
                    run.job(), record.id(), run.counts().parked(), run.outcome().map(Enum::name).orElse("RUNNING"));
            meters.deliveredLater(run.job());
        });
    }

    private void ended(JobRun run) {
        RunCounts c = run.counts();
        LOG.info("run {} of job {} ended {}: {} records, {} delivered first try, {} after retries, {} parked{}",
                run.runId(), run.job(), run.outcome().map(Enum::name).orElse("?"), c.records(), c.deliveredFirstTry(),
                c.deliveredAfterRetries(), c.parked(), run.failure().map(f -> "; " + f).orElse(""));
        for (Consumer<JobRun> l : onEnded) {
            try {
                l.accept(run);
            } catch (RuntimeException e) {
                LOG.warn("a listener of ended runs failed: {}", e.toString());
            }
        }
    }

    /** When the schedule fired: the timer's or Quartz's fired time, else when the exchange was created. */
    private static Instant triggerTime(Exchange exchange) {
        Object fired = exchange.getProperty(Exchange.TIMER_FIRED_TIME);
        if (fired == null) {
            fired = exchange.getIn().getHeader(Exchange.TIMER_FIRED_TIME);
        }
        if (fired == null) {
            fired = exchange.getIn().getHeader("fireTime"); // quartz
        }
        if (fired instanceof Date d) {
            return d.toInstant();
        }
        if (fired instanceof Long ms) {
            return Instant.ofEpochMilli(ms);
        }
        return Instant.ofEpochMilli(exchange.getClock().getCreated());
    }
}
