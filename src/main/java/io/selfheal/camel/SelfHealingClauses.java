package io.selfheal.camel;

import io.selfheal.camel.idempotency.IdempotencyKeyHeader;
import io.selfheal.camel.retry.FailureRecorder;
import io.selfheal.camel.retry.GiveUpRecorder;
import io.selfheal.camel.retry.SelfhealErrorHandlerDefinition;

import io.selfheal.retry.AttemptHistory;
import io.selfheal.retry.RetryDecision;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.model.RouteConfigurationDefinition;

/**
 * The public building blocks of the {@code self-healing} route configuration. A Java user can put every
 * self-healing clause into a route configuration of their own and add theirs:
 * <pre>{@code
 * class MyConfiguration extends RouteConfigurationBuilder {
 *     public void configuration() {
 *         RouteConfigurationDefinition rc = routeConfiguration("my-healing");
 *         SelfHealingClauses.applyTo(rc);
 *         rc.onException(MyAuditException.class).handled(true).to("log:audit");
 *     }
 * }
 * }</pre>
 */
public final class SelfHealingClauses {
    public static final String ROUTE_CONFIGURATION_ID = "self-healing";
    /** Where a given-up exchange goes; the default route logs it (and later parks and alerts). */
    public static final String ESCALATION_ENDPOINT = "direct:selfheal-escalation";

    private SelfHealingClauses() {
    }

    /**
     * Adds the self-healing clauses: every failure is classified, retried as its class allows, then escalated; and
     * mutating HTTP requests carry a stable Idempotency-Key ({@link IdempotencyKeyHeader}). The configuration's error
     * handler becomes Selfheal's ({@link SelfhealErrorHandlerDefinition}: Camel's default handler with a cheap first
     * attempt), unless it names one of its own.
     */
    public static OnExceptionDefinition applyTo(RouteConfigurationDefinition rc) {
        if (rc.getErrorHandler() == null) {
            rc.errorHandler(new SelfhealErrorHandlerDefinition());
        }
        OnExceptionDefinition clause = rc.onException(Exception.class);
        configure(clause);
        clause.process(giveUpRecorder()).to(ESCALATION_ENDPOINT);
        IdempotencyKeyHeader.applyTo(rc);
        return clause;
    }

    /** The redelivery part of the clause, for users who want their own failure route after it. */
    public static OnExceptionDefinition configure(OnExceptionDefinition clause) {
        return clause
                .onExceptionOccurred(failureRecorder())
                .retryWhile(retryWhileDecided())
                .onRedelivery(attemptStarter())
                // the delay itself comes from the CamelRedeliveryDelay header that FailureRecorder sets
                .redeliveryDelay(0)
                .asyncDelayedRedelivery()
                .logRetryAttempted(false)
                .logExhausted(false)
                .logStackTrace(false)
                .handled(true);
    }

    public static Processor failureRecorder() {
        return new FailureRecorder();
    }

    public static Processor giveUpRecorder() {
        return new GiveUpRecorder();
    }

    /** True while the last decision was to retry. */
    public static Predicate retryWhileDecided() {
        return exchange -> {
            RetryDecision d = ExchangeState.decision(exchange);
            return d != null && d.retry();
        };
    }

    /** Before each redelivery: the attempt number that is about to be made. */
    public static Processor attemptStarter() {
        return exchange -> {
            AttemptHistory h = ExchangeState.history(exchange);
            exchange.setProperty(SelfhealProperties.ATTEMPTS, h == null ? 1 : h.failures() + 1);
            ExchangeState.markRedelivery(exchange);
            exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        };
    }
}
