/**
 * What protects one upstream from its callers: the per-upstream gate {@link io.selfheal.breaker.UpstreamBreaker}
 * (a Resilience4j circuit breaker, the consecutive-failure trip, the Retry-After hold and the
 * {@link io.selfheal.breaker.AdaptiveSendRate}), {@link io.selfheal.breaker.BreakerRegistry}, the retry budgets
 * ({@link io.selfheal.breaker.RetryBudget}), and the {@code selfheal.breaker.*} and {@code selfheal.budget.*}
 * sections.
 * <p>
 * Domain, Camel-free: imports the config kit, {@code retry}, Resilience4j, SLF4J and the JDK.
 */
package io.selfheal.breaker;
