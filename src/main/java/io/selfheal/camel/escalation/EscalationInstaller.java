package io.selfheal.camel.escalation;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.selfheal.camel.InstalledBeans;
import io.selfheal.camel.SelfhealRuntime;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;

import java.time.Clock;

/**
 * Installs the escalation room: the parked store, alerts and replay ({@link EscalationServices}); where each unit of
 * work begins, which is what a give-up parks and where its replay re-enters ({@link WorkStart}); the escalation
 * route; breaker-open events; replay when an upstream recovers and at start; and the parked HTTP API when a token
 * is configured.
 */
public final class EscalationInstaller {
    private EscalationInstaller() {
    }

    /** The escalation services of the context, bound and started with it; call {@link #install} once routes may be added. */
    public static EscalationServices services(CamelContext context, SelfhealRuntime runtime, Clock clock)
            throws Exception {
        // parking takes the message from where its unit of work began (WorkStart); Camel's original message is
        // only its fallback, and camel-main turns it off again unless camel.main.allow-use-original-message is set
        context.setAllowUseOriginalMessage(true);
        EscalationServices escalation = new EscalationServices(context, runtime.config(), clock);
        InstalledBeans.bind(context, EscalationServices.BEAN_NAME, escalation);
        context.addService(escalation, true, true);
        return escalation;
    }

    public static void install(CamelContext context, SelfhealRuntime runtime, EscalationServices escalation)
            throws Exception {
        // where each unit of work begins (a route entered, a split item or multicast branch started), and its message
        // then: what a give-up parks and where its replay re-enters
        context.addRoutePolicyFactory(new WorkStart.RouteEntries());
        context.getCamelContextExtension().addInterceptStrategy(new WorkStart.ItemStarts());
        // a message that gave up while the parked store refused it is parked when its source delivers it again,
        // without running its route (and calling its upstream) again
        context.addRoutePolicyFactory(escalation.awaitingParking());
        runtime.breakers().onTransitionEvent(new BreakerEscalation(context));
        // automatic replay: when an upstream's breaker closes again, its parked messages go back through, rate-limited
        runtime.breakers().onTransitionEvent(t -> {
            if (t.to() == CircuitBreaker.State.CLOSED) {
                escalation.replay().onUpstreamRecovered(t.upstream());
            }
        });
        // what waited for a retry when the process last stopped was parked as SHUTDOWN: it goes back through once the
        // context is fully started (the routes may not all run before)
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                escalation.replay().onStarted();
            }
        });
        context.addRoutes(new EscalationRoutes());
        if (runtime.config().parked().apiToken() != null) {
            context.addRoutes(new ParkedApiRoutes());
        }
    }
}
