package io.selfheal.camel;

import io.selfheal.classify.Classification;
import io.selfheal.escalation.GiveUp;
import io.selfheal.retry.AttemptHistory;
import io.selfheal.retry.RetryDecision;
import org.apache.camel.Exchange;

/**
 * Hears every failed attempt and every give-up; breakers, budgets and meters plug in here. A listener may replace the
 * proposed decision (a budget that has no token turns a retry into a give-up). Implementations must be fast; what
 * they throw is logged and ignored.
 */
public interface AttemptListener {
    /** @return the decision to go on with: {@code proposed} or a replacement */
    default RetryDecision onFailedAttempt(Exchange exchange, String upstream, Classification classification,
                                          AttemptHistory history, RetryDecision proposed) {
        return proposed;
    }

    default void onGiveUp(Exchange exchange, GiveUp giveUp) {
    }
}
