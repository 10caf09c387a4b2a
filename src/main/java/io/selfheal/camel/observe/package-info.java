/**
 * Observability in Camel: {@link io.selfheal.camel.observe.CallMetrics} (an event notifier: every send to an upstream
 * is an attempt) and {@link io.selfheal.camel.observe.UpstreamMeters} (breaker-state and budget gauges).
 * <p>
 * Imports Camel, the {@code camel} root and the domain packages {@code observe} and {@code retry}; it needs no other
 * room.
 */
package io.selfheal.camel.observe;
