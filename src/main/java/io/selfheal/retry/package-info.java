/**
 * Retry policy and decision: the per-upstream {@link io.selfheal.retry.RetryPolicy}, the jittered
 * {@link io.selfheal.retry.BackoffCurve}, {@link io.selfheal.retry.RetryAfter}, one exchange's
 * {@link io.selfheal.retry.AttemptHistory} and the pure {@link io.selfheal.retry.RetryDecider}: retry after how long,
 * or give up why.
 * <p>
 * Domain, Camel-free: imports the config kit, {@code classify} and the JDK only.
 */
package io.selfheal.retry;
