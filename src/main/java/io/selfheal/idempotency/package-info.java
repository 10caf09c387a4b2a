/**
 * Idempotency without Camel: the shared key store {@link io.selfheal.idempotency.JdbcKeyStore} (claims that a live
 * process renews, confirmed once processed), {@link io.selfheal.idempotency.IdempotentInsert} (a row once per key),
 * deterministic {@link io.selfheal.idempotency.IdempotencyKeys}, {@link io.selfheal.idempotency.RequestNeverSent},
 * the key store's pool and SQL dialect, and the {@code selfheal.idempotency.*} section.
 * <p>
 * Domain, Camel-free: imports the config kit, {@code threads}, HikariCP, SLF4J and the JDK. It also imports
 * {@code io.selfheal.escalation.Redactor}, only to mask the password of a JDBC URL in {@code toString()}; the
 * dialect, the pool and that masking belong in a JDBC package shared with the parked store.
 */
package io.selfheal.idempotency;
