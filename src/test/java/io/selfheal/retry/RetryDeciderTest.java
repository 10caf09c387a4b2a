package io.selfheal.retry;

import io.selfheal.classify.FailureClass;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class RetryDeciderTest {
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    private final SplittableRandom random = new SplittableRandom(5);
    private final RetryPolicy policy = RetryPolicy.defaults();

    private static AttemptHistory failures(int n, FailureClass c) {
        AttemptHistory h = AttemptHistory.none();
        for (int i = 0; i < n; i++) {
            h = h.record("HTTP 503", c, T0.plusSeconds(i));
        }
        return h;
    }

    @Test
    void permanentIsNeverRetried() {
        RetryDecision d = RetryDecider.decide(policy, failures(1, FailureClass.PERMANENT), FailureClass.PERMANENT,
                Optional.empty(), T0, random);
        assertThat(d.retry()).isFalse();
        assertThat(d.reason()).isEqualTo(GiveUpReason.PERMANENT);
    }

    @Test
    void transientRetriesOnTheCurveUntilMaxAttempts() {
        for (int n = 1; n < 8; n++) {
            RetryDecision d = RetryDecider.decide(policy, failures(n, FailureClass.TRANSIENT), FailureClass.TRANSIENT,
                    Optional.empty(), T0.plusSeconds(n), random);
            assertThat(d.retry()).isTrue();
            assertThat(d.source()).isEqualTo(DelaySource.BACKOFF);
            assertThat(d.delay().toMillis()).isBetween(policy.transientCurve().lowerBoundMillis(n),
                    policy.transientCurve().upperBoundMillis(n));
        }
        RetryDecision last = RetryDecider.decide(policy, failures(8, FailureClass.TRANSIENT), FailureClass.TRANSIENT,
                Optional.empty(), T0.plusSeconds(8), random);
        assertThat(last.reason()).isEqualTo(GiveUpReason.ATTEMPTS);
    }

    @Test
    void statedWaitIsExactAndCapped() {
        RetryDecision d = RetryDecider.decide(policy, failures(1, FailureClass.RECOVERABLE), FailureClass.RECOVERABLE,
                Optional.of(StatedWait.retryAfter(Duration.ofSeconds(42))), T0, random);
        assertThat(d.delay()).isEqualTo(Duration.ofSeconds(42));
        assertThat(d.source()).isEqualTo(DelaySource.RETRY_AFTER);
        RetryDecision beyond = RetryDecider.decide(policy, failures(1, FailureClass.RECOVERABLE), FailureClass.RECOVERABLE,
                Optional.of(StatedWait.retryAfter(Duration.ofMinutes(6))), T0, random);
        assertThat(beyond.reason()).isEqualTo(GiveUpReason.RETRY_AFTER_BEYOND_CAP);
    }

    @Test
    void noRetryIsScheduledPastTheDeadline() {
        RetryPolicy p = RetryPolicy.builder().maxDuration(Duration.ofSeconds(10)).build();
        AttemptHistory h = failures(1, FailureClass.RECOVERABLE);
        RetryDecision inside = RetryDecider.decide(p, h, FailureClass.RECOVERABLE,
                Optional.of(StatedWait.retryAfter(Duration.ofSeconds(9))), T0.plusSeconds(1), random);
        assertThat(inside.retry()).isTrue();
        RetryDecision past = RetryDecider.decide(p, h, FailureClass.RECOVERABLE,
                Optional.of(StatedWait.retryAfter(Duration.ofSeconds(10))), T0.plusSeconds(1), random);
        assertThat(past.reason()).isEqualTo(GiveUpReason.DURATION);
    }

    /** {@code calls} failed calls, then {@code refusals} attempts turned away by the gate, one second apart. */
    private static AttemptHistory callsThenRefusals(int calls, int refusals) {
        AttemptHistory h = failures(calls, FailureClass.TRANSIENT);
        for (int i = 0; i < refusals; i++) {
            h = h.refused(FailureClass.RECOVERABLE, T0.plusSeconds(calls + i));
        }
        return h;
    }

    @Test
    void anOpenBreakerIsWaitedForExactly() {
        RetryDecision wait = RetryDecider.decide(policy, callsThenRefusals(2, 1), FailureClass.RECOVERABLE,
                Optional.of(StatedWait.breaker(Duration.ofSeconds(5))), T0.plusSeconds(2), random);
        assertThat(wait.source()).isEqualTo(DelaySource.BREAKER);
        assertThat(wait.delay()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void refusedAttemptsDoNotSpendMaxAttempts() {
        RetryPolicy p = RetryPolicy.builder().maxAttempts(3).maxDuration(Duration.ofMinutes(5)).build();
        // 3 failed calls: max-attempts is spent
        assertThat(RetryDecider.decide(p, failures(3, FailureClass.TRANSIENT), FailureClass.TRANSIENT,
                Optional.empty(), T0.plusSeconds(3), random).reason()).isEqualTo(GiveUpReason.ATTEMPTS);
        // 2 failed calls and 40 refusals: the breaker is waited for again, the third call is still to come
        AttemptHistory h = callsThenRefusals(2, 40);
        assertThat(h.failures()).isEqualTo(2);
        assertThat(h.refusals()).isEqualTo(40);
        RetryDecision d = RetryDecider.decide(p, h, FailureClass.RECOVERABLE,
                Optional.of(StatedWait.breaker(Duration.ofSeconds(2))), T0.plusSeconds(42), random);
        assertThat(d.retry()).isTrue();
        assertThat(d.source()).isEqualTo(DelaySource.BREAKER);
        // so is a Retry-After hold
        RetryDecision held = RetryDecider.decide(p, h, FailureClass.RECOVERABLE,
                Optional.of(StatedWait.retryAfter(Duration.ofSeconds(1))), T0.plusSeconds(42), random);
        assertThat(held.retry()).isTrue();
        assertThat(held.source()).isEqualTo(DelaySource.RETRY_AFTER);
        // the third call, made after the refusals, fails: now max-attempts is spent
        AttemptHistory third = h.record("HTTP 503", FailureClass.TRANSIENT, T0.plusSeconds(44));
        assertThat(RetryDecider.decide(p, third, FailureClass.TRANSIENT, Optional.empty(), T0.plusSeconds(44), random)
                .reason()).isEqualTo(GiveUpReason.ATTEMPTS);
    }

    @Test
    void anOpenBreakerPastMaxDurationGivesUpAsBreakerOpen() {
        RetryPolicy p = RetryPolicy.builder().maxAttempts(3).maxDuration(Duration.ofSeconds(60)).build();
        AttemptHistory h = callsThenRefusals(2, 10); // first failure at T0, last refusal at T0 + 11 s
        RetryDecision inside = RetryDecider.decide(p, h, FailureClass.RECOVERABLE,
                Optional.of(StatedWait.breaker(Duration.ofSeconds(49))), T0.plusSeconds(11), random);
        assertThat(inside.retry()).isTrue();
        RetryDecision past = RetryDecider.decide(p, h, FailureClass.RECOVERABLE,
                Optional.of(StatedWait.breaker(Duration.ofSeconds(50))), T0.plusSeconds(11), random);
        assertThat(past.reason()).isEqualTo(GiveUpReason.BREAKER_OPEN);
        // a Retry-After hold past the deadline is an ordinary DURATION give-up
        RetryDecision held = RetryDecider.decide(p, h, FailureClass.RECOVERABLE,
                Optional.of(StatedWait.retryAfter(Duration.ofSeconds(50))), T0.plusSeconds(11), random);
        assertThat(held.reason()).isEqualTo(GiveUpReason.DURATION);
        // a breaker wait beyond retry-after-max gives up at once, as BREAKER_OPEN
        RetryDecision capped = RetryDecider.decide(RetryPolicy.builder().retryAfterMax(Duration.ofSeconds(1)).build(), h,
                FailureClass.RECOVERABLE, Optional.of(StatedWait.breaker(Duration.ofSeconds(2))), T0.plusSeconds(11), random);
        assertThat(capped.reason()).isEqualTo(GiveUpReason.BREAKER_OPEN);
    }

    @Test
    void aRefusalWithNoTimeLeftStillWaitsAndTheDurationBoundEndsTheLoop() {
        RetryPolicy p = RetryPolicy.builder().maxAttempts(1).maxDuration(Duration.ofMillis(500)).build();
        AttemptHistory h = AttemptHistory.none();
        Instant now = T0;
        int refusals = 0;
        RetryDecision d;
        do {
            h = h.refused(FailureClass.RECOVERABLE, now);
            // the worst case: the gate says "no time left" every time
            d = RetryDecider.decide(p, h, FailureClass.RECOVERABLE, Optional.of(StatedWait.breaker(Duration.ZERO)), now, random);
            if (d.retry()) {
                assertThat(d.delay()).isGreaterThanOrEqualTo(RetryDecider.MIN_REFUSED_WAIT);
                now = now.plus(d.delay());
            }
            refusals++;
        } while (d.retry() && refusals < 10_000);
        assertThat(d.retry()).isFalse();
        assertThat(d.reason()).isEqualTo(GiveUpReason.BREAKER_OPEN);
        assertThat(refusals).isLessThanOrEqualTo(501);
        assertThat(h.failures()).isZero();
    }

    @Test
    void aStatedWaitIsRoundedUpToTheMillisecondNeverDown() {
        RetryDecision d = RetryDecider.decide(policy, callsThenRefusals(0, 1), FailureClass.RECOVERABLE,
                Optional.of(StatedWait.retryAfter(Duration.ofNanos(1_200_001))), T0, random);
        assertThat(d.delay()).isEqualTo(Duration.ofMillis(2));
        RetryDecision sub = RetryDecider.decide(policy, callsThenRefusals(0, 1), FailureClass.RECOVERABLE,
                Optional.of(StatedWait.retryAfter(Duration.ofNanos(300_000))), T0, random);
        assertThat(sub.delay()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void checksAreAskedInOrderOnlyForARetryAndTheFirstRefusalGivesTheReason() {
        java.util.List<String> asked = new java.util.ArrayList<>();
        RetryCheck allow = () -> { asked.add("allow"); return Optional.empty(); };
        RetryCheck budget = () -> { asked.add("budget"); return Optional.of(GiveUpReason.BUDGET_EXHAUSTED); };
        RetryCheck never = () -> { asked.add("never"); return Optional.of(GiveUpReason.SHUTDOWN); };

        RetryDecision d = RetryDecider.decide(policy, failures(1, FailureClass.TRANSIENT), FailureClass.TRANSIENT,
                Optional.empty(), T0, random, java.util.List.of(allow, budget, never));
        assertThat(d.retry()).isFalse();
        assertThat(d.reason()).isEqualTo(GiveUpReason.BUDGET_EXHAUSTED);
        assertThat(asked).containsExactly("allow", "budget");

        // a give-up by the policy asks no check, so nothing is spent on a retry that will not happen
        asked.clear();
        RetryDecision permanent = RetryDecider.decide(policy, failures(1, FailureClass.PERMANENT),
                FailureClass.PERMANENT, Optional.empty(), T0, random, java.util.List.of(allow, budget));
        assertThat(permanent.reason()).isEqualTo(GiveUpReason.PERMANENT);
        assertThat(asked).isEmpty();

        RetryDecision allowed = RetryDecider.decide(policy, failures(1, FailureClass.TRANSIENT), FailureClass.TRANSIENT,
                Optional.empty(), T0, random, java.util.List.of(allow, allow));
        assertThat(allowed.retry()).isTrue();
    }
}
