package io.selfheal.camel.escalation;

import io.selfheal.camel.SelfHealingClauses;
import io.selfheal.camel.Selfheal;
import io.selfheal.camel.SelfhealProperties;

import io.selfheal.classify.FailureClass;
import io.selfheal.escalation.BodyTooLargeException;
import io.selfheal.escalation.GiveUp;
import io.selfheal.json.Json;
import io.selfheal.observe.LogFields;
import io.selfheal.escalation.ParkRequest;
import io.selfheal.escalation.ParkedSettings;
import io.selfheal.escalation.ParkedHeaders;
import io.selfheal.escalation.ParkedStore;
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

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The escalation of one given-up exchange, inside its own processing (so before its source acknowledges it): log the
 * give-up, park the message durably, then raise the alert (never blocking). If parking fails the exchange fails too,
 * so the source keeps the message (a file stays, a broker redelivers) and nothing is lost.
 * <p>
 * What is parked is the message as the unit of work that gave up began ({@link WorkStart}: the route whose step gave
 * up, or the split item or multicast branch in it), so a replay re-enters there and redoes exactly that work; the
 * Idempotency-Key the call carried is kept with it. The message as it was when it gave up is kept apart, for diagnosis.
 * A message that is already parked (its source delivered it again) is neither parked nor alerted twice.
 */
public final class Escalator implements Processor {
    /** Exchange property set once the exchange is parked: the record's id. */
    public static final String PARKED_ID = "SelfhealParkedId";

    private static final Logger LOG = EscalationRoutes.ESCALATION_LOG;

    @Override
    public void process(Exchange exchange) {
        EscalationServices services = EscalationServices.of(exchange.getContext());
        ParkedSettings config = services.store().config();
        Redactor redactor = config.redactor();
        GiveUp g = exchange.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class);
        if (g == null) {
            g = new GiveUp(FailureClass.PERMANENT, GiveUpReason.PERMANENT, 0, Duration.ZERO, null, null, null,
                    exchange.getFromRouteId(), exchange.getExchangeId(), null,
                    exchange.getIn().getHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER, String.class), List.of(),
                    "sent to " + SelfHealingClauses.ESCALATION_ENDPOINT + " without a give-up record");
        }
        GiveUp given = g;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("event", "gave_up");
        given.toMap().forEach((k, v) -> fields.put(k, v instanceof java.util.Collection<?> ? Json.write(v) : v));
        LogFields.with(fields, () -> LOG.warn("gave up: route={} upstream={} reason={} exchange={} {}; parking",
                given.routeId(), given.upstream(), given.reason(), given.exchangeId(), given.summary()));

        Long parkedId = null;
        boolean alreadyParked = false;
        ParkingException failure = null;
        ParkRequest request = null;
        try {
            request = request(exchange, g, config);
            ParkedStore.Parked parked = services.store().parkOnce(request);
            parkedId = parked.id();
            alreadyParked = parked.alreadyParked();
            exchange.setProperty(PARKED_ID, parkedId);
            if (!alreadyParked) {
                LOG.info("parked as #{}: replays into route {}{} exchange={} (list with: parked list, or GET "
                        + "/selfheal/parked)", parkedId, request.routeId(),
                        request.reentryStep() == null ? "" : " at step " + request.reentryStep(), g.exchangeId());
            }
        } catch (ParkingException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new ParkingException("could not park the message: " + redactor.text(String.valueOf(e.getMessage())), e);
        }
        if (!alreadyParked && !inJobRun(exchange)) {
            // the record that holds it was alerted when it was parked: one record, one alert
            services.alerts().giveUp(g, parkedId);
        }
        if (failure != null) {
            LOG.error("NOT parked, the exchange fails so its source keeps the message: route={} exchange={}: {}",
                    g.routeId(), g.exchangeId(), redactor.text(failure.getMessage()));
            if (request != null && !(failure instanceof BodyTooLargeException) && !isItemOfSplitOrMulticast(exchange)) {
                // its work is over: when the source delivers it again it waits for the store, not for its upstream
                Duration next = services.awaitingParking().remember(exchange, request, g);
                LOG.warn("when its source delivers it again it is parked without calling its upstream again (next "
                        + "attempt to park it in {})", io.selfheal.config.Durations.human(next));
            }
            // Camel logs the caught exception when a failure handler fails; its message may hold a secret URL, so
            // leave it the redacted give-up instead
            exchange.setProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, new GaveUpException(g.summary()));
            // an HTTP consumer (platform-http) answers a failed exchange with the response code header when there is
            // one: a 200 left by an earlier successful call in the route would tell the caller "accepted" for a
            // message that was neither delivered nor parked, and the caller would drop it. Without the header the
            // consumer answers its failure code (500), so the caller keeps the message and retries.
            exchange.getMessage().removeHeader(Exchange.HTTP_RESPONSE_CODE);
            exchange.getMessage().removeHeader(Exchange.HTTP_RESPONSE_TEXT);
            throw failure;
        }
    }

    /**
     * A record of a job's run in progress (not a replay of one): its run pages once when it ends, as its job's policy
     * says, instead of one alert per record (decision 22). Logged and parked all the same.
     */
    private static boolean inJobRun(Exchange exchange) {
        return exchange.getProperty(SelfhealProperties.RUN_ID) != null
                && exchange.getProperty(ParkedReplayService.REPLAY_OF) == null;
    }

    /** A split item or multicast branch: its source is its parent's, which a redelivery runs whole again. */
    private static boolean isItemOfSplitOrMulticast(Exchange exchange) {
        return exchange.getProperty(ExchangePropertyKey.SPLIT_INDEX) != null
                || exchange.getProperty(ExchangePropertyKey.MULTICAST_INDEX) != null;
    }

    private static ParkRequest request(Exchange exchange, GiveUp g, ParkedSettings config) {
        Redactor redactor = config.redactor();
        String failedRoute = g.routeId() != null ? g.routeId() : exchange.getFromRouteId();
        WorkStart unit = WorkStart.of(exchange, failedRoute);
        Map<String, Object> headers;
        Object body;
        String routeId;
        String step = null;
        String fromEndpoint;
        if (unit != null) {
            // the unit of work the failing step belongs to: its message as it began, re-entered where it began
            headers = unit.replayHeaders();
            body = unit.body();
            routeId = unit.routeId();
            step = unit.stepReference();
            Route route = exchange.getContext().getRoute(routeId);
            fromEndpoint = route == null ? null : redactor.url(route.getEndpoint().getEndpointUri());
        } else {
            // no route start was recorded for it (a route of Selfheal's own): the message as Camel kept it
            Message original = originalMessage(exchange);
            headers = new LinkedHashMap<>(original.getHeaders());
            body = original.getBody();
            routeId = exchange.getFromRouteId() != null ? exchange.getFromRouteId() : g.routeId();
            fromEndpoint = exchange.getFromEndpoint() == null ? null
                    : redactor.url(exchange.getFromEndpoint().getEndpointUri());
        }
        if (g.idempotencyKey() != null) {
            headers.put(SelfhealProperties.IDEMPOTENCY_KEY_HEADER, g.idempotencyKey());
        }
        Message now = exchange.getIn();
        return new ParkRequest(bytes(exchange, body), body instanceof String ? String.class.getName() : null,
                ParkedHeaders.encode(headers, redactor, config.sensitiveHeaderMode()), routeId, step, g.endpoint(),
                fromEndpoint, g,
                exchange.getProperty(ParkedReplayService.REPLAY_OF, Long.class),
                ParkedHeaders.encode(now.getHeaders(), redactor, config.sensitiveHeaderMode()),
                failureBodyPreview(exchange, now.getBody(), redactor),
                exchange.getProperty(SelfhealProperties.RUN_ID, String.class));
    }

    /**
     * The body when it gave up, for diagnosis: redacted text cut to a preview, or what kind of body it was. A one-shot
     * stream is not read (the exchange may still answer its caller with it); only the preview's bytes are decoded.
     */
    private static String failureBodyPreview(Exchange exchange, Object body, Redactor redactor) {
        if (body == null) {
            return "";
        }
        if ((body instanceof java.io.InputStream || body instanceof java.io.Reader) && !(body instanceof StreamCache)) {
            return "(a stream, not read)";
        }
        byte[] bytes;
        try {
            bytes = bytes(exchange, body);
        } catch (RuntimeException e) {
            return "(" + body.getClass().getSimpleName() + ")";
        } finally {
            if (body instanceof StreamCache cache) {
                cache.reset();
            }
        }
        if (bytes.length == 0) {
            return "";
        }
        int previewBytes = ParkedViews.BODY_PREVIEW_CHARS * 4;
        int length = Math.min(bytes.length, previewBytes);
        // a cut may split the last character: try without its partial bytes
        for (int drop = 0; drop <= (length < bytes.length ? 3 : 0) && drop < length; drop++) {
            try {
                String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, length - drop)).toString();
                String preview = redactor.sample(text, ParkedViews.BODY_PREVIEW_CHARS);
                return length < bytes.length && preview.equals(redactor.text(text))
                        ? preview + "... (" + bytes.length + " bytes in all)" : preview;
            } catch (CharacterCodingException e) {
                // binary, or a character cut in two: see below
            }
        }
        return "(binary, " + bytes.length + " bytes)";
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

    private static byte[] bytes(Exchange exchange, Object body) {
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
