package io.selfheal.camel.breaker;

/**
 * What the gate recorded about the attempt that just failed: the upstream it was for, whether the call reached it
 * (false when the breaker or a Retry-After hold turned it away), and the failure, so a listener can tell it is looking
 * at this very attempt.
 */
public record GuardedCall(String upstream, boolean reached, Throwable failure) {
}
