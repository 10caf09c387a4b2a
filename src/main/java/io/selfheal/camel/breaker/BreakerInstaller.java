package io.selfheal.camel.breaker;

import io.selfheal.camel.SelfhealRuntime;
import org.apache.camel.CamelContext;

/**
 * Installs the breaker room: each upstream's breaker, Retry-After hold and send rate around every HTTP call of a
 * self-healing route ({@link UpstreamGuard}), and a readiness check that names the open breakers. The retry budget
 * is asked inside each retry decision ({@link RetryBudgetCheck}).
 */
public final class BreakerInstaller {
    private BreakerInstaller() {
    }

    public static void install(CamelContext context, SelfhealRuntime runtime) {
        context.getCamelContextExtension().addInterceptStrategy(new UpstreamGuard());
        BreakerReadiness.register(context, runtime);
    }
}
