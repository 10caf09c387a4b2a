package io.selfheal.retry;

import java.util.Optional;

/**
 * A condition a retry must meet besides the policy: a budget token, proof that a request which must not run twice
 * never left. The decider asks the checks in order, and only for a retry, so a check that spends something (a token)
 * spends it only when the policy and every earlier check allow the retry.
 */
@FunctionalInterface
public interface RetryCheck {
    /** @return why the retry must not happen, or empty to allow it */
    Optional<GiveUpReason> refusal();
}
