package io.selfheal.retry;

import io.selfheal.classify.FailureClass;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Decides, after a failed attempt, whether to retry and after how long. Pure: the clock and the random source are
 * passed in, so tests can check every branch.
 * <ol>
 *     <li>PERMANENT is never retried.</li>
 *     <li>max-attempts counts the calls made, the first one included; when it is reached the reason is ATTEMPTS.</li>
 *     <li>A stated wait (Retry-After, an open breaker) is honoured exactly, never shorter (rounded up to the
 *     millisecond); beyond retry-after-max it gives up.</li>
 *     <li>Otherwise the class's backoff curve gives the delay.</li>
 *     <li>No retry is scheduled whose delay ends past first failure + max-duration: DURATION.</li>
 * </ol>
 * An attempt the gate turned away before calling (the upstream's breaker was open, or a Retry-After hold was on; see
 * {@link AttemptHistory#lastRefused()}) is a wait, not an attempt at the upstream: it does not spend max-attempts, and
 * only max-duration (and the retry-after-max cap on the stated wait) bounds it. A wait of at least
 * {@link #MIN_REFUSED_WAIT} is scheduled, so refusals can never spin. When an open breaker is what stops the
 * retrying, the reason is BREAKER_OPEN whichever bound does it.
 */
public final class RetryDecider {
    /** The shortest wait after a refused attempt: a refusal never comes back at once. */
    public static final Duration MIN_REFUSED_WAIT = Duration.ofMillis(1);

    private RetryDecider() {
    }

    /**
     * The policy's decision, then the checks': a retry the policy allows is made only if every check allows it too;
     * the first check that refuses gives its reason.
     */
    public static RetryDecision decide(RetryPolicy policy, AttemptHistory history, FailureClass failureClass,
                                       Optional<StatedWait> statedWait, Instant now, RandomGenerator random,
                                       List<RetryCheck> checks) {
        RetryDecision decision = decide(policy, history, failureClass, statedWait, now, random);
        for (RetryCheck check : checks) {
            if (!decision.retry()) {
                break;
            }
            Optional<GiveUpReason> refusal = check.refusal();
            if (refusal.isPresent()) {
                decision = RetryDecision.giveUp(refusal.get());
            }
        }
        return decision;
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
        boolean refused = history.lastRefused();
        if (!refused && history.failures() >= policy.maxAttempts()) {
            return RetryDecision.giveUp(breakerHeld ? GiveUpReason.BREAKER_OPEN : GiveUpReason.ATTEMPTS);
        }
        Duration delay;
        DelaySource source;
        if (statedWait.isPresent()) {
            StatedWait w = statedWait.get();
            if (w.duration().compareTo(policy.retryAfterMax()) > 0) {
                return RetryDecision.giveUp(breakerHeld ? GiveUpReason.BREAKER_OPEN : GiveUpReason.RETRY_AFTER_BEYOND_CAP);
            }
            delay = ceilMillis(w.duration());
            source = w.source();
        } else {
            BackoffCurve curve = failureClass == FailureClass.RECOVERABLE ? policy.recoverableCurve() : policy.transientCurve();
            // a refusal that states no wait (not one the gate makes) waits as a first recoverable failure would
            delay = curve.delay(refused ? 1 : history.failures(), random);
            source = DelaySource.BACKOFF;
        }
        if (refused && delay.compareTo(MIN_REFUSED_WAIT) < 0) {
            delay = MIN_REFUSED_WAIT;
        }
        Instant first = history.firstFailureAt() == null ? now : history.firstFailureAt();
        Instant deadline = first.plus(policy.maxDuration());
        if (now.plus(delay).isAfter(deadline)) {
            return RetryDecision.giveUp(breakerHeld ? GiveUpReason.BREAKER_OPEN : GiveUpReason.DURATION);
        }
        return RetryDecision.retryAfter(delay, source);
    }

    /** A stated wait is never shortened: Camel schedules whole milliseconds, so round up. */
    private static Duration ceilMillis(Duration d) {
        Duration whole = Duration.ofMillis(d.toMillis());
        return whole.equals(d) ? d : whole.plusMillis(1);
    }
}
