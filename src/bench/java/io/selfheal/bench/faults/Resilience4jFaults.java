package io.selfheal.bench.faults;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Resilience4j 2.4.0: Retry around CircuitBreaker around the call, the order its documentation's Decorators example
 * uses. Retry: 8 attempts, exponential random backoff, Retry-After through an {@code IntervalBiFunction}, retry on the
 * retryable statuses and (its default) on every exception. CircuitBreaker: the documented defaults, with
 * waitDurationInOpenState 60 s ÷ 10, and 5xx responses recorded as failures.
 */
final class Resilience4jFaults extends HttpClientContender {
    private final IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(
            Duration.ofMillis(1000 / FaultSchedule.SCALE), 2.0, 0.5, Duration.ofMillis(30_000 / FaultSchedule.SCALE));
    private final Retry retry = Retry.of("upstream", RetryConfig.<HttpResponse<String>>custom()
            .maxAttempts(8)
            .retryOnResult(r -> RETRYABLE.contains(r.statusCode()))
            .intervalBiFunction((attempt, either) -> either.isRight()
                    ? retryAfter(either.get()).map(Duration::toMillis).orElseGet(() -> backoff.apply(attempt))
                    : backoff.apply(attempt))
            .build());
    private final CircuitBreaker breaker = CircuitBreaker.of("upstream", CircuitBreakerConfig.custom()
            .failureRateThreshold(50)
            .slidingWindow(100, 100, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .waitDurationInOpenState(Duration.ofMillis(60_000 / FaultSchedule.SCALE))
            .permittedNumberOfCallsInHalfOpenState(10)
            .recordResult(r -> r instanceof HttpResponse<?> h && h.statusCode() >= 500)
            .build());

    @Override
    public String name() {
        return "Resilience4j Retry + CircuitBreaker";
    }

    @Override
    public String configuration() {
        return "Retry maxAttempts 8, ofExponentialRandomBackoff(100 ms, 2, 0.5, 3 s), Retry-After via "
                + "IntervalBiFunction, retryOnResult(429/5xx/408), every exception retried (default); CircuitBreaker "
                + "defaults (50 %, COUNT_BASED 100, min 100 calls, 10 half-open calls) with waitDurationInOpenState "
                + "6 s, 5xx recorded as failure; synchronous, " + workers() + " worker threads";
    }

    @Override
    boolean deliver(int id) {
        Supplier<HttpResponse<String>> guarded = Retry.decorateSupplier(retry,
                CircuitBreaker.decorateSupplier(breaker, () -> call(id)));
        return accepted(guarded.get());
    }
}
