/**
 * Idempotency without Camel: the shared key store {@link io.selfheal.idempotency.JdbcKeyStore} (claims that a live
 * process renews, confirmed once processed), {@link io.selfheal.idempotency.IdempotentInsert} (a row once per key),
 * deterministic {@link io.selfheal.idempotency.IdempotencyKeys}, {@link io.selfheal.idempotency.RequestNeverSent},
 * the key store's schema, and the {@code selfheal.idempotency.*} section.
 * <p>
 * Domain, Camel-free: imports the config kit, {@code jdbc}, {@code threads}, SLF4J and the JDK.
 */
package io.selfheal.idempotency;
