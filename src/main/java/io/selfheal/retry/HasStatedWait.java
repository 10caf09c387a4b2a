package io.selfheal.retry;

/**
 * A failure that says how long to wait before the next attempt: an open circuit breaker, or an upstream held back by
 * an earlier Retry-After. The retry decision honours it exactly as it honours a Retry-After header. When it comes
 * from the gate's refusal (no call was made), the attempt is recorded with {@link AttemptHistory#refused}, a wait that
 * spends no max-attempts.
 */
public interface HasStatedWait {
    StatedWait statedWait();
}
