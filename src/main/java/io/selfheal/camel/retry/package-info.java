/**
 * Retrying in Camel: {@link io.selfheal.camel.retry.FailureRecorder} (Camel's {@code onExceptionOccurred}: classify,
 * record, decide, set the exact redelivery delay), {@link io.selfheal.camel.retry.GiveUpRecorder} (the give-up
 * record), {@link io.selfheal.camel.retry.SelfhealErrorHandler} (Camel's default error handler with a cheap first
 * attempt) and {@link io.selfheal.camel.retry.RedeliveryWaits} (waits that shutdown ends at once).
 * <p>
 * Imports Camel, the {@code camel} root, the domain packages ({@code retry}, {@code classify}, {@code breaker},
 * {@code escalation}, {@code observe}) and, where a call's path crosses rooms, {@code camel.idempotency} (the give-up
 * record keeps the message's Idempotency-Key).
 */
package io.selfheal.camel.retry;
