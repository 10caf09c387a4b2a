package io.selfheal.camel;

import io.selfheal.classify.Classification;
import io.selfheal.escalation.GiveUp;
import io.selfheal.retry.AttemptHistory;
import io.selfheal.retry.RetryDecision;
import org.apache.camel.Exchange;

/**
 * Hears every failed attempt, after its decision is made (policy, idempotency guard, retry budget: see
 * {@link io.selfheal.retry.RetryDecider}), and every give-up. A listener may still replace the decision, for a rule of
 * the user's own. Implementations must be fast; what they throw is logged and ignored.
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
