package io.selfheal.retry;

import io.selfheal.classify.FailureClass;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Decides, after a failed attempt, whether to retry and after how long. Pure: the clock and the random source are
 * passed in, so tests can check every branch.
 * <ol>
 *     <li>PERMANENT is never retried.</li>
 *     <li>max-attempts counts the first call; when it is reached the reason is ATTEMPTS.</li>
 *     <li>A stated wait (Retry-After, an open breaker) is honoured exactly; beyond retry-after-max it gives up.</li>
 *     <li>Otherwise the class's backoff curve gives the delay.</li>
 *     <li>No retry is scheduled whose delay ends past first failure + max-duration: DURATION.</li>
 * </ol>
 * A failure caused by an open breaker gives up with BREAKER_OPEN whichever bound stops it.
 */
public final class RetryDecider {

    private RetryDecider() {
    }

    /**
     * @param history    the history including the failure being decided on
     * @param statedWait Retry-After or the breaker's remaining open time, if any
     */
    public static RetryDecision decide(RetryPolicy policy, AttemptHistory history, FailureClass failureClass,
                                       Optional<StatedWait> statedWait, Instant now, RandomGenerator random) {
        boolean breakerHeld = statedWait.map(w -> w.source() == DelaySource.BREAKER).orElse(false);
        if (failureClass == FailureClass.PERMANENT) {
            return RetryDecision.giveUp(GiveUpReason.PERMANENT);
        }
        if (history.failures() >= policy.maxAttempts()) {
            return RetryDecision.giveUp(breakerHeld ? GiveUpReason.BREAKER_OPEN : GiveUpReason.ATTEMPTS);
        }
        Duration delay;
        DelaySource source;
        if (statedWait.isPresent()) {
            StatedWait w = statedWait.get();
            if (w.duration().compareTo(policy.retryAfterMax()) > 0) {
                return RetryDecision.giveUp(breakerHeld ? GiveUpReason.BREAKER_OPEN : GiveUpReason.RETRY_AFTER_BEYOND_CAP);
            }
            delay = w.duration();
            source = w.source();
        } else {
            BackoffCurve curve = failureClass == FailureClass.RECOVERABLE ? policy.recoverableCurve() : policy.transientCurve();
            delay = curve.delay(history.failures(), random);
            source = DelaySource.BACKOFF;
        }
        Instant first = history.firstFailureAt() == null ? now : history.firstFailureAt();
        Instant deadline = first.plus(policy.maxDuration());
        if (now.plus(delay).isAfter(deadline)) {
            return RetryDecision.giveUp(breakerHeld ? GiveUpReason.BREAKER_OPEN : GiveUpReason.DURATION);
        }
        return RetryDecision.retryAfter(delay, source);
    }
}
