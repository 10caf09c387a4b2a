package io.selfheal.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Selfheal's meters, in Micrometer's dotted style (Prometheus: dots become underscores, counters gain "_total").
 * Tags are bounded: route, upstream, job, failure class, outcome, kind, delay source, give-up reason, status; never
 * message ids or keys. The names are a contract: config/prometheus/selfheal-rules.yml and
 * config/grafana/selfheal-dashboard.json use them, and a test checks every one appears in a real scrape.
 */
public final class SelfhealMeters {
    /** Every call to an upstream: tags route, upstream, kind (first|retry), outcome (success|TRANSIENT|RECOVERABLE|PERMANENT). */
    public static final String ATTEMPTS = "selfheal.attempts";
    /** Retries only (the same calls as attempts{kind=retry}), tagged route, upstream, class of the failure retried. */
    public static final String RETRIES = "selfheal.retries";
    /** Distribution of the attempt on which a delivery succeeded (1 = first try): p50/p95 attempts per success. */
    public static final String DELIVERIES_ATTEMPTS = "selfheal.deliveries.attempts";
    /** Give-ups: tags route, upstream, class, reason. */
    public static final String GIVE_UPS = "selfheal.giveups";
    /** Time scheduled to wait before a retry: tags upstream, source (backoff|retry-after|breaker). */
    public static final String WAIT = "selfheal.wait";
    /** 1 for the breaker's current state, 0 for the others: tags upstream, state. */
    public static final String BREAKER_STATE = "selfheal.breaker.state";
    /** Breaker state transitions: tags upstream, from, to. */
    public static final String BREAKER_TRANSITIONS = "selfheal.breaker.transitions";
    /** Retry budget tokens left: tag upstream. */
    public static final String BUDGET_TOKENS = "selfheal.budget.tokens";
    /** Retries the budget denied: tag upstream. */
    public static final String BUDGET_DENIALS = "selfheal.budget.denials";
    /** Messages an idempotent consumer or sink skipped as duplicates: tag name (repository or sink). */
    public static final String IDEMPOTENT_DUPLICATES = "selfheal.idempotent.duplicates";
    /** Parked messages by status (PARKED, REPLAYED, DISCARDED). */
    public static final String PARKED = "selfheal.parked.messages";
    /** Ended runs of scheduled jobs: tags job, outcome (CLEAN, HEALED, PARTIAL, FAILED, ABANDONED). */
    public static final String JOB_RUNS = "selfheal.job.runs";
    /** How long each ended run took, from its start to its end: tag job. */
    public static final String JOB_RUN_DURATION = "selfheal.job.run.duration";
    /** Records of ended runs: tags job, outcome (first_try, after_retries, parked, delivered_later). */
    public static final String JOB_RECORDS = "selfheal.job.records";
    /** Firings of a job's schedule dropped because its run was still in progress: tags job, policy (skip, queue). */
    public static final String JOB_MISFIRES = "selfheal.job.misfires";

    private final MeterRegistry registry;
    /**
     * The meters already registered, by name and tag values. Building and registering a meter on every call (tags
     * sorted, an id, a builder, a distribution config) costs more than the rest of a call's bookkeeping; the tags are
     * bounded, so this map is too.
     */
    private final Map<MeterKey, Object> registered = new ConcurrentHashMap<>();

    private record MeterKey(String name, String a, String b, String c, String d) {
    }

    public SelfhealMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @SuppressWarnings("unchecked")
    private <M> M meter(MeterKey key, Function<MeterKey, M> register) {
        Object found = registered.get(key);
        if (found == null) {
            found = registered.computeIfAbsent(key, register);
        }
        return (M) found;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void attempt(String route, String upstream, boolean retry, String outcome) {
        Counter counter = meter(new MeterKey(ATTEMPTS, safe(route), safe(upstream), retry ? "retry" : "first",
                safe(outcome)), k -> Counter.builder(ATTEMPTS).description("Calls to upstreams, first attempts and retries")
                .tags(Tags.of("route", k.a(), "upstream", k.b(), "kind", k.c(), "outcome", k.d()))
                .register(registry));
        counter.increment();
    }

    public void retryScheduled(String route, String upstream, String failureClass) {
        Counter counter = meter(new MeterKey(RETRIES, safe(route), safe(upstream), safe(failureClass), null),
                k -> Counter.builder(RETRIES).description("Retries scheduled after a failed attempt")
                        .tags(Tags.of("route", k.a(), "upstream", k.b(), "class", k.c()))
                        .register(registry));
        counter.increment();
    }

    public void delivered(String route, String upstream, int attempt) {
        DistributionSummary summary = meter(new MeterKey(DELIVERIES_ATTEMPTS, safe(route), safe(upstream), null, null),
                k -> DistributionSummary.builder(DELIVERIES_ATTEMPTS)
                        .description("The attempt on which a call succeeded (1 = first try)")
                        .tags(Tags.of("route", k.a(), "upstream", k.b()))
                        .serviceLevelObjectives(1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20)
                        .publishPercentiles(0.5, 0.95)
                        .register(registry));
        summary.record(attempt);
    }

    public void gaveUp(String route, String upstream, String failureClass, String reason) {
        Counter counter = meter(new MeterKey(GIVE_UPS, safe(route), safe(upstream), safe(failureClass), safe(reason)),
                k -> Counter.builder(GIVE_UPS).description("Exchanges Selfheal stopped retrying")
                        .tags(Tags.of("route", k.a(), "upstream", k.b(), "class", k.c(), "reason", k.d()))
                        .register(registry));
        counter.increment();
    }

    public void waited(String upstream, String source, Duration delay) {
        Timer timer = meter(new MeterKey(WAIT, safe(upstream), safe(source), null, null),
                k -> Timer.builder(WAIT).description("Time scheduled to wait before retries, by the source of the delay")
                        .tags(Tags.of("upstream", k.a(), "source", k.b()))
                        .register(registry));
        timer.record(delay);
    }

    public void breakerTransition(String upstream, String from, String to) {
        Counter counter = meter(new MeterKey(BREAKER_TRANSITIONS, safe(upstream), safe(from), safe(to), null),
                k -> Counter.builder(BREAKER_TRANSITIONS).tags(Tags.of("upstream", k.a(), "from", k.b(), "to", k.c()))
                        .register(registry));
        counter.increment();
    }

    public void duplicateSkipped(String name) {
        Counter counter = meter(new MeterKey(IDEMPOTENT_DUPLICATES, safe(name), null, null, null),
                k -> Counter.builder(IDEMPOTENT_DUPLICATES).tags(Tags.of("name", k.a())).register(registry));
        counter.increment();
    }

    /** A run of {@code job} ended with {@code outcome} after {@code duration}. */
    public void jobRunEnded(String job, String outcome, Duration duration) {
        Counter runs = meter(new MeterKey(JOB_RUNS, safe(job), safe(outcome), null, null),
                k -> Counter.builder(JOB_RUNS).description("Ended runs of scheduled jobs, by outcome")
                        .tags(Tags.of("job", k.a(), "outcome", k.b())).register(registry));
        runs.increment();
        Timer timer = meter(new MeterKey(JOB_RUN_DURATION, safe(job), null, null, null),
                k -> Timer.builder(JOB_RUN_DURATION).description("How long runs of a scheduled job took")
                        .tags(Tags.of("job", k.a())).register(registry));
        timer.record(duration.isNegative() ? Duration.ZERO : duration);
    }

    /** {@code n} records of a run of {@code job} ended as {@code outcome} (first_try, after_retries, parked...). */
    public void jobRecords(String job, String outcome, long n) {
        if (n <= 0) {
            return;
        }
        Counter counter = meter(new MeterKey(JOB_RECORDS, safe(job), safe(outcome), null, null),
                k -> Counter.builder(JOB_RECORDS).description("Records of runs of scheduled jobs, by how they ended")
                        .tags(Tags.of("job", k.a(), "outcome", k.b())).register(registry));
        counter.increment(n);
    }

    /** A firing of {@code job}'s schedule was dropped under its misfire {@code policy}. */
    public void jobMisfire(String job, String policy) {
        Counter counter = meter(new MeterKey(JOB_MISFIRES, safe(job), safe(policy), null, null),
                k -> Counter.builder(JOB_MISFIRES).description("Firings dropped while the job's run was in progress")
                        .tags(Tags.of("job", k.a(), "policy", k.b())).register(registry));
        counter.increment();
    }

    /** A gauge read on each scrape; the supplier must be cheap. */
    public void gauge(String name, Tags tags, Supplier<Number> value) {
        Gauge.builder(name, value).tags(tags).strongReference(true).register(registry);
    }

    private static String safe(String v) {
        return v == null || v.isBlank() ? "unknown" : v;
    }
}
