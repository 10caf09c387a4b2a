package io.selfheal.camel.retry;

import io.selfheal.camel.ClassifiedFailure;
import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.breaker.GuardedCall;
import io.selfheal.camel.breaker.RetryBudgetCheck;
import io.selfheal.camel.idempotency.NotIdempotentCheck;
import io.selfheal.camel.AttemptListener;
import io.selfheal.camel.Selfheal;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.camel.UpstreamNames;

import io.selfheal.breaker.UpstreamUnavailableException;
import io.selfheal.classify.Classification;
import io.selfheal.config.Durations;
import io.selfheal.observe.LogFields;
import io.selfheal.retry.AttemptHistory;
import io.selfheal.retry.DelaySource;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.retry.HasStatedWait;
import io.selfheal.retry.RetryDecider;
import io.selfheal.retry.RetryDecision;
import io.selfheal.retry.RetryPolicy;
import io.selfheal.retry.StatedWait;
import io.selfheal.runs.RunTally;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs as the {@code onExceptionOccurred} processor, once per failed attempt: classifies the failure, records it in
 * the exchange's attempt history, decides retry or give-up, and sets the exact delay in
 * {@link Exchange#REDELIVERY_DELAY}, which Camel's redelivery then schedules (not sleeps, with async delayed
 * redelivery). Logs one line per failed attempt.
 * <p>
 * An attempt the gate turned away ({@link UpstreamUnavailableException}: the breaker is open or a Retry-After hold is
 * on) made no call: it is recorded as a refusal, not as a failed call, so it spends no attempt, is not counted as a
 * retry, and its log line says the attempt was not made.
 */
public final class FailureRecorder implements Processor {
    static final Logger ATTEMPTS_LOG = LoggerFactory.getLogger("io.selfheal.attempts");
    /** Exchange property: an integer overriding max-attempts for this exchange (replays with a bigger budget). */
    public static final String MAX_ATTEMPTS_OVERRIDE = "SelfhealMaxAttempts";
    /** Exchange property: milliseconds overriding max-duration for this exchange. */
    public static final String MAX_DURATION_OVERRIDE = "SelfhealMaxDurationMillis";
    static final int ERROR_SAMPLE_CHARS = 300;

    @Override
    public void process(Exchange exchange) {
        SelfhealRuntime runtime = SelfhealRuntime.of(exchange.getContext());
        Exception failure = exchange.getException();
        Instant now = runtime.clock().instant();
        if (ShutdownRefusal.in(failure)) {
            cutShortByShutdown(exchange, failure);
            return;
        }

        String upstream = UpstreamNames.resolve(exchange, failure);
        String callSite = exchange.getProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, String.class) + "|"
                + exchange.getProperty(ExchangePropertyKey.TO_ENDPOINT, String.class);
        AttemptHistory history = ExchangeState.historyAt(exchange, callSite);
        if (history == null) {
            history = AttemptHistory.none();
        }

        // classified once: where the gate saw this very failure, its verdict; any other failing step, here
        GuardedCall call = ExchangeState.guardedCall(exchange);
        ClassifiedFailure verdict = call != null && call.failure().isOf(failure) ? call.failure()
                : ClassifiedFailure.of(runtime.classifier(), failure, now);
        Classification c = verdict.classification();
        boolean refused = refusedAtTheGate(failure);
        boolean queued = refused && carriedWait(failure).map(w -> w.source() == DelaySource.SEND_RATE).orElse(false);
        history = queued ? history.queued(c.failureClass(), now)
                : refused ? history.refused(c.failureClass(), now) : history.record(c.outcome(), c.failureClass(), now);
        RetryPolicy policy = effectivePolicy(exchange, runtime.policyFor(upstream));
        Optional<StatedWait> stated = carriedWait(failure).or(() -> verdict.retryAfter().map(StatedWait::retryAfter));
        AttemptHistory decidedOn = history;
        RetryDecision decision = RetryDecider.decide(policy, history, c.failureClass(), stated, now, runtime.random(),
                List.of(NotIdempotentCheck.of(exchange),
                        RetryBudgetCheck.of(runtime, exchange, call, verdict, decidedOn),
                        // a wait begun now would outlast the process: park the message instead, for the next start
                        () -> exchange.getContext().isStopping() ? Optional.of(GiveUpReason.SHUTDOWN) : Optional.empty()));

        for (AttemptListener l : runtime.listeners()) {
            try {
                RetryDecision reviewed = l.onFailedAttempt(exchange, upstream, c, history, decision);
                decision = reviewed == null ? decision : reviewed;
            } catch (RuntimeException e) {
                ATTEMPTS_LOG.warn("Selfheal listener {} failed: {}", l, e.toString());
            }
        }
        RetryDecision finalDecision = decision;

        ExchangeState.recordFailure(exchange, callSite, history, c, finalDecision, upstream);
        exchange.setProperty(SelfhealProperties.FAILURE_CLASS, c.failureClass().name());
        exchange.setProperty(SelfhealProperties.ATTEMPTS, history.failures());
        exchange.setProperty(SelfhealProperties.ELAPSED_MILLIS, history.elapsed(now).toMillis());
        if (finalDecision.retry()) {
            exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, finalDecision.delay().toMillis());
            if (!refused) {
                // a retry is another call after a failed one; waiting again after a refusal is not a new retry
                runtime.meters().retryScheduled(exchange.getProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, String.class),
                        upstream, c.failureClass().name());
            }
            runtime.meters().waited(upstream, finalDecision.source().label(), finalDecision.delay());
            RunTally run = ExchangeState.runTally(exchange);
            if (run != null) {
                run.waited(finalDecision.source(), finalDecision.delay());
            }
        } else {
            exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        }
        logAttempt(exchange, runtime, upstream, policy, c, history, finalDecision, now, failure);
    }

    /**
     * A wait for a retry ended by the shutdown ({@link SelfhealErrorHandler}): no call was made, so the history and
     * the classification stay those of the last real failure, which is again the caught exception (the give-up line
     * that follows says SHUTDOWN).
     */
    private static void cutShortByShutdown(Exchange exchange, Exception refusal) {
        if (refusal.getCause() != null) {
            exchange.setProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, refusal.getCause());
        }
        ExchangeState.setDecision(exchange, RetryDecision.giveUp(GiveUpReason.SHUTDOWN));
        exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
    }

    /** The attempt was turned away before any call was made (breaker open, Retry-After hold). */
    static boolean refusedAtTheGate(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (t instanceof UpstreamUnavailableException) {
                return true;
            }
        }
        return false;
    }

    /** A wait stated by the failure itself (an open breaker, a Retry-After hold), anywhere in the cause chain. */
    static Optional<StatedWait> carriedWait(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (t instanceof HasStatedWait w && w.statedWait() != null) {
                return Optional.of(w.statedWait());
            }
        }
        return Optional.empty();
    }

    static RetryPolicy effectivePolicy(Exchange exchange, RetryPolicy policy) {
        Integer maxAttempts = exchange.getProperty(MAX_ATTEMPTS_OVERRIDE, Integer.class);
        Long maxDurationMillis = exchange.getProperty(MAX_DURATION_OVERRIDE, Long.class);
        if (maxAttempts == null && maxDurationMillis == null) {
            return policy;
        }
        return policy.withBounds(maxAttempts, maxDurationMillis == null ? null : Duration.ofMillis(maxDurationMillis));
    }

    private static void logAttempt(Exchange exchange, SelfhealRuntime runtime, String upstream, RetryPolicy policy,
                                   Classification c, AttemptHistory history, RetryDecision decision, Instant now,
                                   Throwable failure) {
        // a refusal is a wait, not an event: DEBUG (the gate says each hold, rate change and open period at INFO)
        boolean refused = history.lastRefused();
        if (refused ? !ATTEMPTS_LOG.isDebugEnabled() : !ATTEMPTS_LOG.isWarnEnabled()) {
            return;
        }
        String next = decision.retry()
                ? "next in " + Durations.human(decision.delay()) + " (" + decision.source() + ")"
                : "giving up (" + decision.reason() + ")";
        String route = exchange.getProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, exchange.getFromRouteId(), String.class);
        String error = errorSample(runtime, failure);
        // a refused attempt made no call: it is reported as the attempt still to be made, "not made", never as a call
        int attempt = refused ? history.failures() + 1 : history.failures();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("event", refused ? "attempt_refused" : "attempt_failed");
        fields.put("route", route);
        fields.put("upstream", upstream);
        fields.put("attempt", attempt);
        fields.put("maxAttempts", policy.maxAttempts());
        fields.put("failureClass", c.failureClass());
        fields.put("outcome", c.outcome());
        fields.put("delayMs", decision.retry() ? decision.delay().toMillis() : null);
        fields.put("delaySource", decision.retry() ? decision.source().label() : null);
        fields.put("giveUpReason", decision.retry() ? null : decision.reason());
        fields.put("elapsedMs", history.elapsed(now).toMillis());
        fields.put("refusals", history.refusals());
        fields.put("exchangeId", exchange.getExchangeId());
        fields.put("error", error);
        String line = "attempt {}/{} {}: route={} upstream={} class={} ({}) {} elapsed={} exchange={} error=\"{}\"";
        Object[] args = {attempt, policy.maxAttempts(), refused ? "not made" : "failed", route, upstream,
                c.failureClass(), c.outcome(), next, Durations.human(history.elapsed(now)), exchange.getExchangeId(), error};
        LogFields.with(fields, () -> {
            if (refused) {
                ATTEMPTS_LOG.debug(line, args);
            } else {
                ATTEMPTS_LOG.warn(line, args);
            }
        });
    }

    /** The failure's message, redacted and truncated; for HTTP, the status and the start of the body. */
    static String errorSample(SelfhealRuntime runtime, Throwable failure) {
        if (failure == null) {
            return "";
        }
        String text;
        if (failure instanceof HttpOperationFailedException h) {
            String body = h.getResponseBody();
            text = "HTTP " + h.getStatusCode() + " from " + runtime.redactor().url(h.getUri())
                    + (body == null || body.isBlank() ? "" : ": " + body.replaceAll("\\s+", " "));
        } else {
            Throwable root = failure;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            text = failure.getClass().getSimpleName() + ": " + failure.getMessage()
                    + (root != failure ? " (cause " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")" : "");
        }
        return runtime.redactor().sample(text.replace('"', '\''), ERROR_SAMPLE_CHARS);
    }
}
