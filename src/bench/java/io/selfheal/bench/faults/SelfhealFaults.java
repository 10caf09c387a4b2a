package io.selfheal.bench.faults;

import io.selfheal.camel.Selfheal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.selfheal.bench.SelfhealContender;
import io.selfheal.breaker.BreakerTransition;
import io.selfheal.camel.AttemptListener;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.escalation.GiveUp;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Selfheal: the route inherits {@code self-healing} as {@link SelfhealContender} configures it, delays ÷ 10. */
final class SelfhealFaults extends CamelContender {
    private final Map<String, Integer> giveUps = new TreeMap<>();
    /** The breaker's transitions during the run, each with the nanoTime it was heard at (the schedule's clock). */
    private final List<Timed> transitions = new CopyOnWriteArrayList<>();

    record Timed(long nanos, BreakerTransition transition) {
    }

    /**
     * The open state whose cooldown the recovery had to wait out: the breaker's last opening at or before the end of the
     * outage (plus one probe's time, for probes sent just before the end that failed and reopened it), unless it closed
     * again after that opening and before the end.
     *
     * @param atNanos     when it opened, on the schedule's clock
     * @param openings    how many times it had opened during the run, this one included
     */
    record Cooldown(Duration cooldown, long atNanos, int openings) {
    }

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
        Map<String, String> properties = new java.util.LinkedHashMap<>(SelfhealContender.scaled(FaultSchedule.SCALE));
        // stores of its own per run, of the shipped kind (H2 files): with the shared ./data files, messages parked by
        // an earlier run or benchmark were replayed into this one when its breaker closed, calling the upstream for
        // message ids of this run and settling them
        String store = "./target/bench/stores/" + System.currentTimeMillis() + "-" + System.nanoTime();
        properties.put("selfheal.parked.url", "jdbc:h2:file:" + store + "/parked;AUTO_SERVER=TRUE;WRITE_DELAY=0");
        properties.put("selfheal.idempotency.url", "jdbc:h2:file:" + store + "/idempotency;WRITE_DELAY=0");
        CamelContext ctx = SelfhealContender.newContext(properties);
        transitions.clear();
        SelfhealRuntime.of(ctx).breakers().onTransitionEvent(t -> transitions.add(new Timed(System.nanoTime(), t)));
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
        // the schedule's bodies are identical, so a content-derived Idempotency-Key would be one key for all 2,000
        // messages (and their give-ups one parked record): give the business key, as the README tells users to
        route.setProperty(io.selfheal.camel.SelfhealProperties.IDEMPOTENCY_KEY).simple("msg-${header.msgId}");
    }

    Map<String, Integer> giveUps() {
        synchronized (giveUps) {
            return new TreeMap<>(giveUps);
        }
    }

    /** The cooldown in force when the outage ended (see {@link Cooldown}); empty when the breaker was closed then. */
    Optional<Cooldown> cooldownInForceAt(long outageEndNanos, long probeNanos) {
        Cooldown found = null;
        int openings = 0;
        for (Timed t : new ArrayList<>(transitions)) {
            if (t.nanos() > outageEndNanos + probeNanos) {
                break;
            }
            if (t.transition().to() == State.OPEN) {
                openings++;
                found = new Cooldown(t.transition().openFor(), t.nanos(), openings);
            } else if (t.transition().to() == State.CLOSED && t.nanos() <= outageEndNanos) {
                found = null;
            }
        }
        return Optional.ofNullable(found);
    }

    /** How long the breaker was open between two instants (nanoTime), and how often it opened then. */
    record OpenTime(long nanos, int openings) {
    }

    OpenTime openBetween(long from, long to) {
        long open = 0;
        int openings = 0;
        long openedAt = -1;
        for (Timed t : new ArrayList<>(transitions)) {
            if (t.nanos() > to) {
                break;
            }
            if (t.transition().opened()) {
                if (openedAt < 0) {
                    openedAt = Math.max(from, t.nanos());
                }
                openings += t.nanos() >= from ? 1 : 0;
            } else if (openedAt >= 0) {
                open += Math.max(0, t.nanos() - openedAt);
                openedAt = -1;
            }
        }
        if (openedAt >= 0) {
            open += Math.max(0, to - openedAt);
        }
        return new OpenTime(open, openings);
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
