package io.selfheal.camel.observe;

import io.micrometer.core.instrument.Tags;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.escalation.ParkedBacklog;
import io.selfheal.escalation.ParkedStatus;
import io.selfheal.escalation.ParkedStore;
import io.selfheal.observe.SelfhealMeters;
import org.apache.camel.CamelContext;

import java.time.Clock;
import java.time.Duration;

/** Installs the observe room: call and attempt meters, breaker transitions, and the parked backlog by status. */
public final class ObserveInstaller {
    /** How long a parked count is reused: a scrape must not query the store for each status each time. */
    private static final Duration BACKLOG_REFRESH = Duration.ofSeconds(5);

    private ObserveInstaller() {
    }

    public static void install(CamelContext context, SelfhealRuntime runtime, ParkedStore parked, Clock clock) {
        SelfhealMeters meters = runtime.meters();
        context.getManagementStrategy().addEventNotifier(new CallMetrics(runtime, meters));
        ParkedBacklog backlog = new ParkedBacklog(parked, clock, BACKLOG_REFRESH);
        for (ParkedStatus status : ParkedStatus.values()) {
            meters.gauge(SelfhealMeters.PARKED, Tags.of("status", status.name()), () -> backlog.count(status));
        }
        runtime.breakers().onTransitionEvent(t -> meters.breakerTransition(t.upstream(), t.from().name(), t.to().name()));
    }
}
