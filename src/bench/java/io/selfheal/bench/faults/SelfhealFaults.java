package io.selfheal.bench.faults;

import io.selfheal.bench.SelfhealContender;
import io.selfheal.camel.AttemptListener;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.escalation.GiveUp;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;

import java.util.Map;
import java.util.TreeMap;

/** Selfheal: the route inherits {@code self-healing} as {@link SelfhealContender} configures it, delays ÷ 10. */
final class SelfhealFaults extends CamelContender {
    private final Map<String, Integer> giveUps = new TreeMap<>();

    @Override
    public String name() {
        return "Selfheal " + SelfhealContender.describe();
    }

    @Override
    public String configuration() {
        return "shipped defaults ÷ " + FaultSchedule.SCALE + ": 8 attempts within 30 s, backoff 100 ms × 2 up to 3 s "
                + "± 50 % jitter, RECOVERABLE from 1 s, Retry-After honoured (cap 30 s); 400 never retried"
                + (SelfhealContender.missingCapabilities().isEmpty() ? "" : "; not yet: " + SelfhealContender.missingCapabilities());
    }

    @Override
    CamelContext newContext() throws Exception {
        CamelContext ctx = SelfhealContender.newContext(SelfhealContender.scaled(FaultSchedule.SCALE));
        SelfhealRuntime.of(ctx).addListener(new AttemptListener() {
            @Override
            public void onGiveUp(Exchange exchange, GiveUp giveUp) {
                synchronized (giveUps) {
                    giveUps.merge(giveUp.reason().name(), 1, Integer::sum);
                }
            }
        });
        return ctx;
    }

    @Override
    void shape(RouteDefinition route, RouteBuilder builder) {
        SelfhealContender.inherit(route, "bench-upstream");
    }

    Map<String, Integer> giveUps() {
        synchronized (giveUps) {
            return new TreeMap<>(giveUps);
        }
    }

    /** Undelivered messages that never reached the give-up path (no reason, no escalation). */
    int lostWithoutGiveUp() {
        int handled = undelivered().getOrDefault("handled", 0);
        int all = undelivered().values().stream().mapToInt(Integer::intValue).sum();
        return all - handled;
    }

    @Override
    public String afterRun() {
        Map<String, Integer> failed = undelivered();
        failed.remove("handled");
        return "gave up by reason " + giveUps()
                + (failed.isEmpty() ? "" : "; ended with an exception, never given up nor escalated: " + failed);
    }
}
