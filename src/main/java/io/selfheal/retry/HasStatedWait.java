package io.selfheal.retry;

/**
 * A failure that says how long to wait before the next attempt: an open circuit breaker, or an upstream held back by
 * an earlier Retry-After. The retry decision honours it exactly as it honours a Retry-After header.
 */
public interface HasStatedWait {
    StatedWait statedWait();
}
