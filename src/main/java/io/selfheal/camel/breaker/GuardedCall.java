package io.selfheal.camel.breaker;

import io.selfheal.camel.ClassifiedFailure;

/**
 * What the gate recorded about the attempt that just failed: the upstream it was for, whether the call reached it
 * (false when the breaker, a Retry-After hold or the send rate turned it away), and the failure as classified there,
 * so the retry decision reuses that verdict for this very attempt.
 */
public record GuardedCall(String upstream, boolean reached, ClassifiedFailure failure) {
}
