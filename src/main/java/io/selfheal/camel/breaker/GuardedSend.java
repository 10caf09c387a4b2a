package io.selfheal.camel.breaker;

import io.selfheal.camel.ClassifiedFailure;
import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;

import io.selfheal.breaker.Admission;
import io.selfheal.breaker.SendSlot;
import io.selfheal.breaker.UpstreamBreaker;
import io.selfheal.breaker.UpstreamUnavailableException;
import io.selfheal.classify.Classification;
import io.selfheal.classify.FailureClass;
import io.selfheal.classify.HttpFailure;
import io.selfheal.retry.AttemptHistory;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Processor;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.AsyncProcessorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * One guarded call to an upstream: asks its gate first (no call when the breaker is open, a Retry-After hold is on, or
 * the upstream's send rate has no slot free yet: the attempt fails with {@link UpstreamUnavailableException},
 * RECOVERABLE, carrying the wait, and a slot booked for it when the send rate made it wait), then records the outcome:
 * a success closes the books and refills the retry budget; a throttle (429, or any answer with Retry-After) lowers the
 * send rate and does not count against the breaker; another TRANSIENT or RECOVERABLE failure counts against the
 * breaker; a PERMANENT one does not (an HTTP answer such as 400 shows the upstream is up: a success for the breaker; a
 * failure with no answer gives the permission back). A 503 with Retry-After holds back every caller of the upstream
 * until the stated instant, capped at the upstream's retry-after-max.
 */
final class GuardedSend extends AsyncProcessorSupport {
    private static final Logger LOG = LoggerFactory.getLogger("io.selfheal.breaker");

    private final AsyncProcessor target;
    private final Function<Exchange, Call> callOf;
    /** Looked up on the first call: a registry lookup per call showed in the overhead profile. */
    private volatile SelfhealRuntime installed;

    /**
     * One call as the gate sees it: the endpoint URI it goes to and the upstream derived from it.
     *
     * @param stableUri  set as the exchange's {@code CamelToEndpoint} for this attempt whether or not the call is made, so
     *                   the failure recorder sees one call site for refused and made attempts alike (its history would
     *                   otherwise restart when the two alternate); null to leave Camel's value alone
     */
    record Call(String upstream, String stableUri) {
    }

    /** @param callOf the call a send makes for an exchange; null when it is not a guarded (HTTP) call */
    GuardedSend(Processor target, Function<Exchange, Call> callOf) {
        this.target = AsyncProcessorConverterHelper.convert(target);
        this.callOf = callOf;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        SelfhealRuntime runtime;
        String upstream;
        UpstreamBreaker breaker;
        Call call;
        try {
            call = callOf.apply(exchange);
            if (call == null) {
                // a dynamic send that is not an HTTP call this time
                return target.process(exchange, callback);
            }
            runtime = runtime(exchange);
            upstream = upstream(exchange, call.upstream());
            breaker = runtime.breakers().forUpstream(upstream);
        } catch (RuntimeException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        ExchangeState.setGuardedCall(exchange, null);
        SendSlot slot = ExchangeState.sendSlot(exchange);
        AttemptHistory history = ExchangeState.history(exchange);
        Admission admission = breaker.admit(slot, history != null && history.firstFailureAt() != null);
        if (admission.sendSlot() != null) {
            ExchangeState.setSendSlot(exchange, admission.sendSlot());
        } else if (slot != null) {
            ExchangeState.setSendSlot(exchange, null);
        }
        if (!admission.admitted()) {
            UpstreamUnavailableException refused = new UpstreamUnavailableException(upstream, admission.statedWait(), admission.why());
            ExchangeState.setGuardedCall(exchange, new GuardedCall(upstream, false,
                    ClassifiedFailure.of(runtime.classifier(), refused, runtime.clock().instant())));
            if (call.stableUri() != null) {
                exchange.setProperty(ExchangePropertyKey.TO_ENDPOINT, call.stableUri());
            }
            exchange.setException(refused);
            callback.done(true);
            return true;
        }
        long started = System.nanoTime();
        long sentOnSendClock = breaker.sendClockNanos();
        return target.process(exchange, doneSync -> {
            try {
                if (call.stableUri() != null) {
                    exchange.setProperty(ExchangePropertyKey.TO_ENDPOINT, call.stableUri());
                }
                record(exchange, runtime, upstream, breaker, System.nanoTime() - started, sentOnSendClock);
            } catch (RuntimeException e) {
                LOG.warn("could not record the outcome of a call to {}: {}", upstream, e.toString());
            } finally {
                callback.done(doneSync);
            }
        });
    }

    private SelfhealRuntime runtime(Exchange exchange) {
        SelfhealRuntime r = installed;
        if (r == null) {
            r = SelfhealRuntime.of(exchange.getContext());
            installed = r;
        }
        return r;
    }

    /** The SelfhealUpstream property when the route names one, else the host of the call. */
    private static String upstream(Exchange exchange, String derived) {
        String explicit = exchange.getProperty(SelfhealProperties.UPSTREAM, String.class);
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        return derived.isBlank() ? "unknown" : derived;
    }

    private static void record(Exchange exchange, SelfhealRuntime runtime, String upstream, UpstreamBreaker breaker,
                               long nanos, long sentOnSendClock) {
        Exception failure = exchange.getException();
        if (failure == null) {
            breaker.onSuccess(nanos);
            runtime.budgets().forUpstream(upstream).onSuccess();
            return;
        }
        Instant now = runtime.clock().instant();
        ClassifiedFailure verdict = ClassifiedFailure.of(runtime.classifier(), failure, now);
        ExchangeState.setGuardedCall(exchange, new GuardedCall(upstream, true, verdict));
        Classification c = verdict.classification();
        if (c.throttled()) {
            // alive and answering: not a breaker failure; the send rate follows the upstream's capacity instead
            breaker.onThrottle(sentOnSendClock, c.http().get().status() == 503);
            holdOnServiceUnavailable(runtime, upstream, breaker, verdict, now);
            return;
        }
        if (c.failureClass() == FailureClass.PERMANENT) {
            if (c.http().isPresent()) {
                breaker.onSuccess(nanos);
            } else {
                breaker.onNoVerdict();
            }
        } else {
            breaker.onFailure(nanos, failure);
        }
    }

    /**
     * 503 with Retry-After: the upstream as a whole is unavailable until the stated instant, so nobody calls it before
     * then. A 429's Retry-After binds only the exchange it answered: the other callers follow the send rate.
     */
    private static void holdOnServiceUnavailable(SelfhealRuntime runtime, String upstream, UpstreamBreaker breaker,
                                                 ClassifiedFailure verdict, Instant now) {
        Optional<HttpFailure> http = verdict.classification().http();
        if (http.isEmpty() || http.get().status() != 503) {
            return;
        }
        Optional<Duration> wait = verdict.retryAfter();
        if (wait.isEmpty() || wait.get().isZero()) {
            return;
        }
        // an upstream cannot stop all its callers for longer than a single exchange would ever wait for it
        Duration cap = runtime.policyFor(upstream).retryAfterMax();
        Duration held = wait.get().compareTo(cap) > 0 ? cap : wait.get();
        breaker.holdUntil(now.plus(held));
        LOG.info("upstream {} asked callers to hold back (HTTP {} Retry-After: {}): no call before {}", upstream,
                http.get().status(), http.get().retryAfter().orElse(""), now.plus(held));
    }

    @Override
    public String toString() {
        return "GuardedSend[" + target + "]";
    }
}
