/**
 * Idempotency in Camel: {@link io.selfheal.camel.idempotency.SelfhealIdempotency} (the key store's pool and
 * repositories of one CamelContext), Camel's {@code IdempotentRepository} over the key store, the
 * {@code Idempotency-Key} stamp on mutating HTTP calls ({@link io.selfheal.camel.idempotency.IdempotencyKeyHeader}),
 * the idempotent JDBC sink and its template, the release of an exchange's keys on a give-up, and the guard of calls
 * that must not run twice.
 * <p>
 * Imports Camel, the {@code camel} root, the domain packages {@code idempotency}, {@code retry}, {@code classify} and
 * {@code escalation}, and, where a call's path crosses rooms, {@code camel.retry} (which routes run Selfheal's error
 * handler) and {@code camel.escalation} (a split item's key is made from its body as its unit of work began).
 */
package io.selfheal.camel.idempotency;
