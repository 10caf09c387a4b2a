package io.selfheal.camel.observe;

import io.selfheal.camel.SelfhealRuntime;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Tags;
import io.selfheal.observe.SelfhealMeters;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-upstream gauges: breaker state (1 for the current state) and retry-budget tokens, and the budget's denials
 * as a counter. Registered the first time an upstream is called, so the scrape lists every upstream seen.
 */
final class UpstreamMeters {
    private static final CircuitBreaker.State[] STATES = {CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN,
            CircuitBreaker.State.HALF_OPEN, CircuitBreaker.State.DISABLED, CircuitBreaker.State.FORCED_OPEN};

    private final SelfhealRuntime runtime;
    private final SelfhealMeters meters;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    UpstreamMeters(SelfhealRuntime runtime, SelfhealMeters meters) {
        this.runtime = runtime;
        this.meters = meters;
    }

    void ensure(String upstream) {
        if (upstream == null || !registered.add(upstream)) {
            return;
        }
        for (CircuitBreaker.State state : STATES) {
            meters.gauge(SelfhealMeters.BREAKER_STATE, Tags.of("upstream", upstream, "state", state.name().toLowerCase()),
                    () -> runtime.breakers().state(upstream) == state ? 1 : 0);
        }
        meters.gauge(SelfhealMeters.BUDGET_TOKENS, Tags.of("upstream", upstream),
                () -> runtime.budgets().forUpstream(upstream).tokens());
        FunctionCounter.builder(SelfhealMeters.BUDGET_DENIALS, runtime,
                        r -> r.budgets().forUpstream(upstream).denied())
                .description("Retries the upstream's retry budget denied").tags(Tags.of("upstream", upstream))
                .register(meters.registry());
    }
}
