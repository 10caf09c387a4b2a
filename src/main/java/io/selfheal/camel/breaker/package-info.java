/**
 * The upstream's gate in Camel: {@link io.selfheal.camel.breaker.UpstreamGuard} wraps every HTTP send of a
 * self-healing route in a {@link io.selfheal.camel.breaker.GuardedSend} (admission, then the outcome to the breaker,
 * send rate, hold and budget); the retry budget's say in each retry; consumers paused while an upstream is down
 * ({@link io.selfheal.camel.breaker.UpstreamDependencyPolicy}); readiness from the breakers.
 * <p>
 * Imports Camel, the {@code camel} root, the domain packages {@code breaker}, {@code retry} and {@code classify}, and,
 * where a call's path crosses rooms, {@code camel.retry} (a route is guarded when its failure recorder runs).
 */
package io.selfheal.camel.breaker;
