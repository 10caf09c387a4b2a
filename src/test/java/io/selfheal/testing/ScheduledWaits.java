package io.selfheal.testing;

import io.selfheal.camel.AttemptListener;
import io.selfheal.camel.SelfhealRuntime;

import io.selfheal.classify.Classification;
import io.selfheal.retry.AttemptHistory;
import io.selfheal.retry.RetryDecision;
import org.apache.camel.Exchange;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where each scheduled wait ends, measured from the exchange's first failure, as decided (not as the timer happened to
 * fire): what "no retry is scheduled past the deadline" is about, whatever the machine's load does to timers.
 */
public final class ScheduledWaits implements AttemptListener {
    private final List<Duration> endsAfterFirstFailure = new CopyOnWriteArrayList<>();

    public static ScheduledWaits install(org.apache.camel.CamelContext context) {
        ScheduledWaits waits = new ScheduledWaits();
        SelfhealRuntime.of(context).addListener(waits);
        return waits;
    }

    @Override
    public RetryDecision onFailedAttempt(Exchange exchange, String upstream, Classification classification,
                                         AttemptHistory history, RetryDecision proposed) {
        if (proposed.retry()) {
            endsAfterFirstFailure.add(Duration.between(history.firstFailureAt(), history.lastFailureAt())
                    .plus(proposed.delay()));
        }
        return proposed;
    }

    public List<Duration> ends() {
        return List.copyOf(endsAfterFirstFailure);
    }
}
