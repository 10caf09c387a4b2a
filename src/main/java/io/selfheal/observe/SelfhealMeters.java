package io.selfheal.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Selfheal's meters, in Micrometer's dotted style (Prometheus: dots become underscores, counters gain "_total").
 * Tags are bounded: route, upstream, failure class, outcome, kind, delay source, give-up reason, status; never
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

    private final MeterRegistry registry;

    public SelfhealMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void attempt(String route, String upstream, boolean retry, String outcome) {
        Counter.builder(ATTEMPTS).description("Calls to upstreams, first attempts and retries")
                .tags(Tags.of("route", safe(route), "upstream", safe(upstream), "kind", retry ? "retry" : "first",
                        "outcome", safe(outcome)))
                .register(registry).increment();
    }

    public void retryScheduled(String route, String upstream, String failureClass) {
        Counter.builder(RETRIES).description("Retries scheduled after a failed attempt")
                .tags(Tags.of("route", safe(route), "upstream", safe(upstream), "class", safe(failureClass)))
                .register(registry).increment();
    }

    public void delivered(String route, String upstream, int attempt) {
        DistributionSummary.builder(DELIVERIES_ATTEMPTS)
                .description("The attempt on which a call succeeded (1 = first try)")
                .tags(Tags.of("route", safe(route), "upstream", safe(upstream)))
                .serviceLevelObjectives(1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20)
                .publishPercentiles(0.5, 0.95)
                .register(registry).record(attempt);
    }

    public void gaveUp(String route, String upstream, String failureClass, String reason) {
        Counter.builder(GIVE_UPS).description("Exchanges Selfheal stopped retrying")
                .tags(Tags.of("route", safe(route), "upstream", safe(upstream), "class", safe(failureClass),
                        "reason", safe(reason)))
                .register(registry).increment();
    }

    public void waited(String upstream, String source, Duration delay) {
        Timer.builder(WAIT).description("Time scheduled to wait before retries, by the source of the delay")
                .tags(Tags.of("upstream", safe(upstream), "source", safe(source)))
                .register(registry).record(delay);
    }

    public void breakerTransition(String upstream, String from, String to) {
        Counter.builder(BREAKER_TRANSITIONS).tags(Tags.of("upstream", safe(upstream), "from", safe(from), "to", safe(to)))
                .register(registry).increment();
    }

    public void duplicateSkipped(String name) {
        Counter.builder(IDEMPOTENT_DUPLICATES).tags(Tags.of("name", safe(name))).register(registry).increment();
    }

    /** A gauge read on each scrape; the supplier must be cheap. */
    public void gauge(String name, Tags tags, Supplier<Number> value) {
        Gauge.builder(name, value).tags(tags).strongReference(true).register(registry);
    }

    private static String safe(String v) {
        return v == null || v.isBlank() ? "unknown" : v;
    }
}
