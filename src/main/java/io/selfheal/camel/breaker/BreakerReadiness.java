package io.selfheal.camel.breaker;

import io.selfheal.camel.SelfhealRuntime;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;
import java.util.TreeMap;

/**
 * Readiness that says which upstream breakers are open: a job whose upstream is down is not ready in the same way as
 * one that is fine. It is a readiness check only, so liveness does not flap with an upstream (a restart would not
 * bring the upstream back).
 */
public final class BreakerReadiness extends AbstractHealthCheck {
    private final SelfhealRuntime runtime;

    private BreakerReadiness(SelfhealRuntime runtime) {
        super("selfheal", "upstream-breakers");
        this.runtime = runtime;
    }

    public static void register(CamelContext context, SelfhealRuntime runtime) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry != null) {
            registry.register(new BreakerReadiness(runtime));
        }
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, String> open = new TreeMap<>();
        runtime.breakers().states().forEach((upstream, state) -> {
            if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
                open.put(upstream, state.name());
            }
        });
        builder.detail("open.breakers", String.join(",", open.keySet()));
        if (open.isEmpty()) {
            builder.up();
        } else {
            builder.message("upstream breakers open: " + String.join(", ", open.keySet()));
            builder.down();
        }
    }
}
