package io.selfheal.camel.observe;

import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.SelfHealingClauses;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.camel.UpstreamNames;

import io.selfheal.observe.SelfhealMeters;
import io.selfheal.retry.AttemptHistory;
import io.selfheal.runs.RunTally;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.ExchangeHelper;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Feeds {@link SelfhealMeters} with calls: every send to an upstream endpoint (each redelivery included) is one
 * attempt, first or retry; a successful one records the attempt it succeeded on. Waits and give-ups are recorded by
 * FailureRecorder and GiveUpRecorder, which know the decision. The calls of an exchange that belongs to a job's run
 * are counted in the run's tally here too (its only place).
 */
public final class CallMetrics extends EventNotifierSupport {
    /** Components that are plumbing inside the process, not upstream calls. */
    private static final Set<String> INTERNAL = Set.of("direct", "seda", "vm", "log", "mock", "stub", "bean", "class",
            "timer", "scheduler", "controlbus", "dataset", "ref", "language", "validator", "xslt", "file", "stream",
            "platform-http", "rest", "kamelet", "disruptor");

    /** Marks a URI that is plumbing, not an upstream call; compared by identity, so no upstream name can equal it. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String NOT_A_CALL = new String("not a call");
    /** URIs of toD sends can be endless; past this many the map starts again rather than grow. */
    private static final int MAX_URIS = 1_000;

    private final SelfhealRuntime runtime;
    private final SelfhealMeters meters;
    private final UpstreamMeters upstreamMeters;
    /**
     * Endpoint URI to its upstream name (or NOT_A_CALL): deriving it parses the URI, which costs more per call than
     * all the meters together.
     */
    private final Map<String, String> upstreamOfUri = new ConcurrentHashMap<>();

    public CallMetrics(SelfhealRuntime runtime, SelfhealMeters meters) {
        this.runtime = runtime;
        this.meters = meters;
        this.upstreamMeters = new UpstreamMeters(runtime, meters);
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        // Camel fires ExchangeSent only for a send whose ExchangeSending some notifier took: take it, ignore it
        setIgnoreExchangeSendingEvents(false);
        setIgnoreStepEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeSentEvent || event instanceof CamelEvent.ExchangeCompletedEvent
                || event instanceof CamelEvent.ExchangeSendingEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.ExchangeSendingEvent) {
            return;
        }
        if (event instanceof CamelEvent.ExchangeCompletedEvent completed) {
            countDuplicate(completed.getExchange());
            return;
        }
        CamelEvent.ExchangeSentEvent sent = (CamelEvent.ExchangeSentEvent) event;
        Exchange exchange = sent.getExchange();
        String derived = upstreamOf(sent.getEndpoint().getEndpointUri());
        if (derived == NOT_A_CALL) {
            // plumbing (direct:, seda:, log: ...) is not a call to an upstream, even in a route that names one
            return;
        }
        String explicit = exchange.getProperty(SelfhealProperties.UPSTREAM, String.class);
        String upstream = explicit != null ? explicit : derived;
        upstreamMeters.ensure(upstream);
        Route route = ExchangeHelper.getRoute(exchange);
        String routeId = route != null ? route.getRouteId() : exchange.getFromRouteId();
        // a redelivery marks itself (SelfHealingClauses.attemptStarter); the first send after it is the retry
        boolean retry = ExchangeState.takeRetryPending(exchange);
        AttemptHistory history = ExchangeState.history(exchange);
        int previousFailures = retry && history != null ? history.failures() : 0;
        Exception failure = exchange.getException();
        String outcome = failure == null ? "success" : runtime.classifier().classify(failure).failureClass().name();
        meters.attempt(routeId, upstream, previousFailures > 0, outcome);
        RunTally run = ExchangeState.runTally(exchange);
        if (run != null) {
            run.call(upstream, previousFailures > 0);
        }
        if (failure == null) {
            meters.delivered(routeId, upstream, previousFailures + 1);
        }
    }

    /** An idempotent consumer (CamelDuplicateMessage) or the idempotent sink (SelfhealDuplicate) skipped a duplicate. */
    private void countDuplicate(Exchange exchange) {
        if (exchange.getProperty(Exchange.DUPLICATE_MESSAGE, false, Boolean.class)
                || exchange.getProperty(SelfhealProperties.DUPLICATE, false, Boolean.class)) {
            meters.duplicateSkipped(exchange.getFromRouteId());
        }
    }

    private String upstreamOf(String uri) {
        String found = upstreamOfUri.get(uri);
        if (found == null) {
            found = isInternal(uri) ? NOT_A_CALL : UpstreamNames.fromEndpointUri(uri);
            if (upstreamOfUri.size() >= MAX_URIS) {
                upstreamOfUri.clear();
            }
            upstreamOfUri.put(uri, found);
        }
        return found;
    }

    private static boolean isInternal(String uri) {
        int colon = uri.indexOf(':');
        String scheme = (colon > 0 ? uri.substring(0, colon) : uri).toLowerCase(Locale.ROOT);
        return INTERNAL.contains(scheme);
    }
}
