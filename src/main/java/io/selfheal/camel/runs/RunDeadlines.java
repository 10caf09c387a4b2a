package io.selfheal.camel.runs;

import io.selfheal.runs.JobSettings;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.component.timer.TimerConsumer;
import org.apache.camel.component.timer.TimerEndpoint;

import java.time.Instant;
import java.util.Date;

/**
 * When a run's whole-run retries must have started: {@code run-deadline} after its trigger when configured (a user
 * who sets it accepts that later firings meet the misfire policy), else the schedule's next trigger where the
 * schedule says it (a timer's period, unless this was its last firing; Quartz's next fire time), else none.
 */
final class RunDeadlines {
    /** The header camel-quartz puts the trigger's next fire time in. */
    static final String QUARTZ_NEXT_FIRE_TIME = "nextFireTime";

    private RunDeadlines() {
    }

    static Instant of(Route route, Exchange exchange, JobSettings settings, Instant triggerTime) {
        if (settings.runDeadline().isPresent()) {
            return triggerTime.plus(settings.runDeadline().get());
        }
        if (route.getEndpoint() instanceof TimerEndpoint timer) {
            return timer.getPeriod() > 0 && !lastFiring(route, timer) ? triggerTime.plusMillis(timer.getPeriod())
                    : null;
        }
        Object next = exchange.getIn().getHeader(QUARTZ_NEXT_FIRE_TIME);
        return next instanceof Date d ? d.toInstant() : null;
    }

    /** The timer counts its firings before it sends each (its counter is on the exchange only with metadata on). */
    private static boolean lastFiring(Route route, TimerEndpoint timer) {
        return timer.getRepeatCount() > 0 && route.getConsumer() instanceof TimerConsumer consumer
                && consumer.getCounter() >= timer.getRepeatCount();
    }
}
