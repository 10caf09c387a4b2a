package io.selfheal.camel;

import io.selfheal.classify.FailureClass;
import io.selfheal.escalation.BodyTooLargeException;
import io.selfheal.escalation.GiveUp;
import io.selfheal.escalation.Json;
import io.selfheal.observe.LogFields;
import io.selfheal.escalation.ParkRequest;
import io.selfheal.escalation.ParkedConfig;
import io.selfheal.escalation.ParkedHeaders;
import io.selfheal.escalation.ParkingException;
import io.selfheal.escalation.Redactor;
import io.selfheal.retry.GiveUpReason;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.StreamCache;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The escalation of one given-up exchange, inside its own processing (so before its source acknowledges it): log the
 * give-up, park the message durably, then raise the alert (never blocking). If parking fails the exchange fails too,
 * so the source keeps the message (a file stays, a broker redelivers) and nothing is lost.
 * <p>
 * What is parked is the message as it entered its route (Camel's original message), with its headers, so a replay
 * into that route starts from the same input; the Idempotency-Key the call carried is kept with it.
 */
final class Escalator implements Processor {
    /** Exchange property set once the exchange is parked: the record's id. */
    static final String PARKED_ID = "SelfhealParkedId";

    private static final Logger LOG = EscalationRoutes.ESCALATION_LOG;

    @Override
    public void process(Exchange exchange) {
        EscalationServices services = EscalationServices.of(exchange.getContext());
        ParkedConfig config = services.store().config();
        Redactor redactor = config.redactor();
        GiveUp g = exchange.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class);
        if (g == null) {
            g = new GiveUp(FailureClass.PERMANENT, GiveUpReason.PERMANENT, 0, Duration.ZERO, null, null, null,
                    exchange.getFromRouteId(), exchange.getExchangeId(), null,
                    exchange.getIn().getHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER, String.class), List.of(),
                    "sent to " + SelfHealing.ESCALATION_ENDPOINT + " without a give-up record");
        }
        GiveUp given = g;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("event", "gave_up");
        given.toMap().forEach((k, v) -> fields.put(k, v instanceof java.util.Collection<?> ? Json.write(v) : v));
        LogFields.with(fields, () -> LOG.warn("gave up: route={} upstream={} reason={} exchange={} {}; parking",
                given.routeId(), given.upstream(), given.reason(), given.exchangeId(), given.summary()));

        Long parkedId = null;
        ParkingException failure = null;
        ParkRequest request = null;
        try {
            request = request(exchange, g, config);
            parkedId = services.store().park(request);
            exchange.setProperty(PARKED_ID, parkedId);
            LOG.info("parked as #{}: replays into route {} exchange={} (list with: parked list, or GET /selfheal/parked)",
                    parkedId, request.routeId(), g.exchangeId());
        } catch (ParkingException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new ParkingException("could not park the message: " + redactor.text(String.valueOf(e.getMessage())), e);
        }
        services.alerts().giveUp(g, parkedId);
        if (failure != null) {
            LOG.error("NOT parked, the exchange fails so its source keeps the message: route={} exchange={}: {}",
                    g.routeId(), g.exchangeId(), redactor.text(failure.getMessage()));
            if (request != null && !(failure instanceof BodyTooLargeException) && !isItemOfSplitOrMulticast(exchange)) {
                // its work is over: when the source delivers it again it waits for the store, not for its upstream
                Duration next = services.awaitingParking().remember(exchange, request, g);
                LOG.warn("when its source delivers it again it is parked without calling its upstream again (next "
                        + "attempt to park it in {})", io.selfheal.escalation.Durations.human(next));
            }
            // Camel logs the caught exception when a failure handler fails; its message may hold a secret URL, so
            // leave it the redacted give-up instead
            exchange.setProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, new GaveUpException(g.summary()));
            // an HTTP consumer (platform-http) answers a failed exchange with the response code header when there is
            // one: a 200 left by an earlier successful call in the route told the caller "accepted" for a message that
            // was neither delivered nor parked (SecretsScanIT saw it), and the caller then drops it. Without the
            // header the consumer answers its failure code (500), so the caller keeps the message and retries.
            exchange.getMessage().removeHeader(Exchange.HTTP_RESPONSE_CODE);
            exchange.getMessage().removeHeader(Exchange.HTTP_RESPONSE_TEXT);
            throw failure;
        }
    }

    private static ParkRequest request(Exchange exchange, GiveUp g, ParkedConfig config) {
        Message original = originalMessage(exchange);
        Map<String, Object> headers = new LinkedHashMap<>(original.getHeaders());
        if (g.idempotencyKey() != null) {
            headers.put(SelfhealProperties.IDEMPOTENCY_KEY_HEADER, g.idempotencyKey());
        }
        String fromEndpoint = exchange.getFromEndpoint() == null ? null
                : config.redactor().url(exchange.getFromEndpoint().getEndpointUri());
        String routeId = exchange.getFromRouteId() != null ? exchange.getFromRouteId() : g.routeId();
        if (isItemOfSplitOrMulticast(exchange) && g.routeId() != null) {
            // a split or multicast item's original message is the item, not what entered the route it was split in:
            // replaying the item into that route would run the whole split again, so replay it where it failed
            routeId = g.routeId();
            Route failed = exchange.getContext().getRoute(routeId);
            fromEndpoint = failed == null ? fromEndpoint : config.redactor().url(failed.getEndpoint().getEndpointUri());
        }
        return new ParkRequest(body(exchange, original), ParkedHeaders.encode(headers, config.redactor(),
                config.sensitiveHeaderMode()), routeId, g.endpoint(), fromEndpoint, g,
                exchange.getProperty(ParkedReplayService.REPLAY_OF, Long.class));
    }

    private static boolean isItemOfSplitOrMulticast(Exchange exchange) {
        return exchange.getProperty(ExchangePropertyKey.SPLIT_INDEX) != null
                || exchange.getProperty(ExchangePropertyKey.MULTICAST_INDEX) != null;
    }

    /** The message as it entered the route; the current one when Camel kept no original. */
    private static Message originalMessage(Exchange exchange) {
        try {
            if (exchange.getUnitOfWork() != null && exchange.getUnitOfWork().getOriginalInMessage() != null) {
                return exchange.getUnitOfWork().getOriginalInMessage();
            }
        } catch (IllegalStateException e) {
            // allowUseOriginalMessage is off in this context: park the current message
        }
        return exchange.getIn();
    }

    private static byte[] body(Exchange exchange, Message message) {
        Object body = message.getBody();
        if (body == null) {
            return null;
        }
        if (body instanceof StreamCache cache) {
            cache.reset();
        }
        byte[] bytes = exchange.getContext().getTypeConverter().tryConvertTo(byte[].class, exchange, body);
        if (bytes == null) {
            throw new ParkingException("the message body (" + body.getClass().getName()
                    + ") cannot be converted to bytes, so it cannot be parked");
        }
        return bytes;
    }

    /** Stands in for the original failure in Camel's own error log: it says what happened, without secrets. */
    static final class GaveUpException extends RuntimeException {
        GaveUpException(String summary) {
            super("gave up: " + summary, null, false, false);
        }
    }
}
