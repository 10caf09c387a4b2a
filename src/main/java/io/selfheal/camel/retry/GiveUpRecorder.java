package io.selfheal.camel.retry;

import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.AttemptListener;
import io.selfheal.camel.Selfheal;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.camel.idempotency.IdempotencyKeyHeader;

import io.selfheal.classify.Classification;
import io.selfheal.classify.FailureClass;
import io.selfheal.escalation.GiveUp;
import io.selfheal.retry.AttemptHistory;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.retry.RetryDecision;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Processor;

import java.time.Instant;

/**
 * First step of the failure route, once retrying is over: sets {@code SelfhealGiveUpReason} and builds the
 * {@link GiveUp} record that the escalation endpoint receives.
 */
public final class GiveUpRecorder implements Processor {

    @Override
    public void process(Exchange exchange) {
        SelfhealRuntime runtime = SelfhealRuntime.of(exchange.getContext());
        Instant now = runtime.clock().instant();
        exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        AttemptHistory history = ExchangeState.history(exchange);
        if (history == null) {
            history = AttemptHistory.none().record("unknown", FailureClass.PERMANENT, now);
        }
        RetryDecision decision = ExchangeState.decision(exchange);
        Classification classification = ExchangeState.classification(exchange);
        // the decision was to retry but Camel stopped the retries: say why
        GiveUpReason reason = decision != null && !decision.retry() ? decision.reason()
                : exchange.getContext().isStopping() ? GiveUpReason.SHUTDOWN : GiveUpReason.ATTEMPTS;
        FailureClass failureClass = classification != null ? classification.failureClass() : history.lastClass();
        Throwable failure = exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, Throwable.class);
        String upstream = ExchangeState.failedUpstream(exchange);
        String endpoint = exchange.getProperty(ExchangePropertyKey.FAILURE_ENDPOINT, String.class);

        GiveUp giveUp = new GiveUp(failureClass, reason, history.failures(), history.elapsed(now),
                history.firstFailureAt(), history.lastFailureAt(), upstream,
                exchange.getProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, exchange.getFromRouteId(), String.class),
                exchange.getExchangeId(), endpoint == null ? null : runtime.redactor().url(endpoint),
                IdempotencyKeyHeader.currentKey(exchange),
                history.outcomes(), FailureRecorder.errorSample(runtime, failure), history.refusals());

        exchange.setProperty(SelfhealProperties.GIVE_UP_REASON, reason.name());
        exchange.setProperty(SelfhealProperties.FAILURE_CLASS, failureClass.name());
        exchange.setProperty(SelfhealProperties.ATTEMPTS, history.failures());
        exchange.setProperty(SelfhealProperties.ELAPSED_MILLIS, giveUp.elapsed().toMillis());
        exchange.setProperty(SelfhealProperties.GIVE_UP, giveUp);
        runtime.meters().gaveUp(giveUp.routeId(), giveUp.upstream(), failureClass.name(), reason.name());
        exchange.setProperty(SelfhealProperties.ESCALATION_KIND, SelfhealProperties.KIND_GIVE_UP);
        for (AttemptListener l : runtime.listeners()) {
            try {
                l.onGiveUp(exchange, giveUp);
            } catch (RuntimeException e) {
                FailureRecorder.ATTEMPTS_LOG.warn("Selfheal listener {} failed: {}", l, e.toString());
            }
        }
    }
}
