package io.selfheal.bench.faults;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Failsafe 3.3.2: RetryPolicy composed around a CircuitBreaker. Retry: 7 retries (8 attempts), backoff 100 ms × 2 up to
 * 3 s with 50 % jitter, Retry-After through {@code withDelayFn}; handles the retryable statuses, I/O failures and an
 * open breaker. CircuitBreaker: the thresholds of its documentation's example (5 failures to open, 3 successes to
 * close) with its delay of 1 min ÷ 10.
 */
final class FailsafeFaults extends HttpClientContender {
    private static final Duration NO_STATED_DELAY = Duration.ofMillis(-1);
    private final RetryPolicy<HttpResponse<String>> retry = RetryPolicy.<HttpResponse<String>>builder()
            .handleResultIf(r -> RETRYABLE.contains(r.statusCode()))
            .handle(UncheckedIOException.class, CircuitBreakerOpenException.class)
            .withBackoff(Duration.ofMillis(1000 / FaultSchedule.SCALE), Duration.ofMillis(30_000 / FaultSchedule.SCALE))
            .withJitter(0.5)
            .withMaxRetries(7)
            // a negative delay tells Failsafe to use the backoff above (null is not allowed)
            .withDelayFn(ctx -> retryAfter(ctx.getLastResult()).orElse(NO_STATED_DELAY))
            .build();
    private final CircuitBreaker<HttpResponse<String>> breaker = CircuitBreaker.<HttpResponse<String>>builder()
            .handleResultIf(r -> r.statusCode() >= 500)
            .handle(UncheckedIOException.class)
            .withFailureThreshold(5)
            .withSuccessThreshold(3)
            .withDelay(Duration.ofMillis(60_000 / FaultSchedule.SCALE))
            .build();
    private final FailsafeExecutor<HttpResponse<String>> failsafe = Failsafe.with(retry).compose(breaker);

    @Override
    public String name() {
        return "Failsafe RetryPolicy + CircuitBreaker";
    }

    @Override
    public String configuration() {
        return "RetryPolicy withMaxRetries(7), withBackoff(100 ms, 3 s), withJitter(0.5), Retry-After via withDelayFn, "
                + "handles 429/5xx/408, I/O errors and CircuitBreakerOpenException; CircuitBreaker "
                + "withFailureThreshold(5), withSuccessThreshold(3), withDelay(6 s); synchronous, " + workers() + " worker threads. "
                + "Failsafe applies withJitter to the delay function's result too (its RetryPolicyExecutor jitters any "
                + "non-zero delay), so a Retry-After wait is spread ±50 %: hence its calls before Retry-After";
    }

    @Override
    boolean deliver(int id) {
        return accepted(failsafe.get(() -> call(id)));
    }
}
