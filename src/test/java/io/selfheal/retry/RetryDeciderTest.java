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

    @Test
    void anOpenBreakerPastTheBoundsGivesUpAsBreakerOpen() {
        RetryDecision d = RetryDecider.decide(policy, failures(8, FailureClass.RECOVERABLE), FailureClass.RECOVERABLE,
                Optional.of(StatedWait.breaker(Duration.ofSeconds(5))), T0, random);
        assertThat(d.reason()).isEqualTo(GiveUpReason.BREAKER_OPEN);
        RetryDecision wait = RetryDecider.decide(policy, failures(2, FailureClass.RECOVERABLE), FailureClass.RECOVERABLE,
                Optional.of(StatedWait.breaker(Duration.ofSeconds(5))), T0.plusSeconds(2), random);
        assertThat(wait.source()).isEqualTo(DelaySource.BREAKER);
        assertThat(wait.delay()).isEqualTo(Duration.ofSeconds(5));
    }
}
