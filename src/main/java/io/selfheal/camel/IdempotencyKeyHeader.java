package io.selfheal.camel;

import io.selfheal.idempotency.IdempotencyKeys;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Message;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.component.http.HttpEndpoint;
import org.apache.camel.component.http.helper.HttpMethodHelper;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.InterceptSendToEndpoint;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.ExchangeHelper;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.util.URISupport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@value SelfhealProperties#IDEMPOTENCY_KEY_HEADER} part of the self-healing route configuration: every mutating
 * request (POST, PUT, PATCH, DELETE) to an {@code http:}/{@code https:} endpoint from a route inheriting it carries a
 * key that is the same on every retry of one message, after a restart that reads the message again, and on a replay.
 * <p>
 * The key, in order of precedence:
 * <ol>
 *     <li>the exchange property {@value SelfhealProperties#IDEMPOTENCY_KEY}, when the route sets it (a business key
 *         such as an order id, from any expression);</li>
 *     <li>the header this exchange already sent (the same key on every retry and on later calls of the message);</li>
 *     <li>the key fixed when the message entered its first self-healing route: the {@code Idempotency-Key} header it
 *         arrived with (a replay of a parked message keeps its key), else a name-based UUID of the route id and the
 *         SHA-256 of the body; an empty body defers this to the body at the first mutating call;</li>
 *     <li>for a copy made inside the route (a split item, a multicast branch): a UUID of the message's key and the
 *         copy's own body, so items of one message get different, stable keys.</li>
 * </ol>
 * Two messages with byte-identical bodies on one route get one key: that is what content-derived keys mean. When
 * that is not wanted, give a business key.
 */
public final class IdempotencyKeyHeader {
    /** Endpoints whose mutating requests get the header (http and https). */
    public static final String HTTP_ENDPOINTS = "http*";

    private IdempotencyKeyHeader() {
    }

    /**
     * Adds the stamping interceptor to a route configuration (SelfHealing.applyTo does this for self-healing). The key's
     * entry is recorded by {@link EntryRecorder}, a route policy on every route whose error handler is Selfheal's.
     */
    public static void applyTo(RouteConfigurationDefinition rc) {
        rc.interceptSendToEndpoint(HTTP_ENDPOINTS).process(stamper());
    }

    /**
     * What a message's key is fixed from when it enters its first self-healing route: the Idempotency-Key it arrived
     * with, else its route id and its body as it entered. The body's digest is taken the first time the key is needed
     * (most messages never make a mutating call, and hashing every body on entry cost more than the rest of the happy
     * path); the body object is kept by reference until then, a one-shot stream having been read into bytes on entry.
     * A body mutated in place before the first mutating call is hashed as it is then: the same on every retry (the key
     * is kept), on a replay and after a restart, since the route mutates it the same way again.
     */
    static final class Entry {
        private final String carried;
        private final Object body;
        private final CamelContext context;
        private final String exchangeId;
        private final String routeId;
        private volatile String key;
        private volatile boolean derived;

        Entry(String carried, Object body, CamelContext context, String exchangeId, String routeId) {
            this.carried = carried;
            this.body = body;
            this.context = context;
            this.exchangeId = exchangeId;
            this.routeId = routeId;
        }

        String exchangeId() {
            return exchangeId;
        }

        String routeId() {
            return routeId;
        }

        /** The key fixed on entry, or null when the body was empty (the key then comes from the body at the call). */
        String key() {
            if (carried != null) {
                return carried;
            }
            if (!derived) {
                key = BodyDigest.sha256(context, body).map(d -> IdempotencyKeys.fromDigest(routeId, d)).orElse(null);
                derived = true;
            }
            return key;
        }
    }

    /** Records the entry of a message into a self-healing route; only the first such route counts. */
    static void recordEntry(Exchange exchange, String routeId) {
        if (exchange.getProperty(SelfhealProperties.IDEMPOTENCY_ENTRY) != null) {
            return;
        }
        Message in = exchange.getMessage();
        String carried = in.getHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER, String.class);
        if (carried != null && !carried.isBlank()) {
            exchange.setProperty(SelfhealProperties.IDEMPOTENCY_KEY_OWNER, exchange.getExchangeId());
        } else {
            carried = null;
        }
        Object body = carried == null ? BodyDigest.rereadable(in) : null;
        exchange.setProperty(SelfhealProperties.IDEMPOTENCY_ENTRY, new Entry(carried, body, exchange.getContext(),
                exchange.getExchangeId(), String.valueOf(routeId)));
    }

    /** The entry recorder as a processor, for flows that are self-healing without a self-healing route (the template). */
    public static Processor entryRecorder() {
        return exchange -> {
            String routeId = ExchangeHelper.getAtRouteId(exchange);
            recordEntry(exchange, routeId != null ? routeId : exchange.getFromRouteId());
        };
    }

    /** Records the entry as a message begins a route whose error handler is Selfheal's. */
    static final class EntryRecorder extends RoutePolicySupport implements RoutePolicyFactory {
        @Override
        public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
            return route instanceof RouteDefinition definition
                    && definition.getErrorHandlerFactory() instanceof SelfhealErrorHandlerDefinition ? this : null;
        }

        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            recordEntry(exchange, route.getRouteId());
        }
    }

    /** Runs before every send to an http* endpoint, each retry included. */
    public static Processor stamper() {
        return new Stamper();
    }

    private static final class Stamper implements Processor {
        /** A toD can make endless URIs: past this many the endpoint map starts again rather than grow. */
        private static final int MAX_URIS = 1_000;
        /**
         * The http endpoint by intercepted URI. Looking an endpoint up normalizes its URI, which cost more than the
         * rest of stamping a key. Only endpoints the context has are kept; an unknown URI is looked up each time.
         */
        private final Map<String, HttpEndpoint> endpoints = new ConcurrentHashMap<>();

        @Override
        public void process(Exchange exchange) {
            Entry entry = exchange.getProperty(SelfhealProperties.IDEMPOTENCY_ENTRY, Entry.class);
            if (entry == null || !IdempotencyKeys.isMutating(method(exchange, httpEndpoint(exchange)))) {
                // not in a self-healing flow (the interceptor is registered context-wide), or a safe method
                return;
            }
            exchange.getMessage().setHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER, keyFor(exchange, entry));
            exchange.setProperty(SelfhealProperties.IDEMPOTENCY_KEY_OWNER, exchange.getExchangeId());
        }

        private HttpEndpoint httpEndpoint(Exchange exchange) {
            String uri = exchange.getProperty(ExchangePropertyKey.INTERCEPTED_ENDPOINT, String.class);
            if (uri == null) {
                return null;
            }
            HttpEndpoint found = endpoints.get(uri);
            if (found == null) {
                Endpoint endpoint = exchange.getContext().hasEndpoint(uri);
                if (endpoint instanceof InterceptSendToEndpoint intercepted) {
                    endpoint = intercepted.getOriginalEndpoint();
                }
                if (endpoint instanceof HttpEndpoint http) {
                    if (endpoints.size() >= MAX_URIS) {
                        endpoints.clear();
                    }
                    endpoints.put(uri, http);
                    found = http;
                }
            }
            return found;
        }
    }

    /**
     * The key this message goes by, for the give-up record: the header it sent, else its business key, else the key
     * fixed when it entered (a message that failed before any mutating call), or for a split item or multicast branch
     * the key of its own derived from that one and its body as it began; else null.
     */
    public static String currentKey(Exchange exchange) {
        String id = exchange.getExchangeId();
        String header = exchange.getMessage().getHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER, String.class);
        String owner = exchange.getProperty(SelfhealProperties.IDEMPOTENCY_KEY_OWNER, String.class);
        // a header a split item or branch copied from its parent is the parent's key, not the item's
        if (header != null && !header.isBlank() && (owner == null || owner.equals(id))) {
            return header;
        }
        String business = exchange.getProperty(SelfhealProperties.IDEMPOTENCY_KEY, String.class);
        if (business != null && !business.isBlank()) {
            return business;
        }
        Entry entry = exchange.getProperty(SelfhealProperties.IDEMPOTENCY_ENTRY, Entry.class);
        if (entry == null || id.equals(entry.exchangeId())) {
            return entry == null ? null : entry.key();
        }
        // a copy made inside the route that gave up before any mutating call: a key of its own, from the message's
        // key and the copy's body as it began, so its replay (which carries this key) is told apart from its siblings'
        Object began = WorkStart.firstBodyOf(exchange);
        String digest = BodyDigest.sha256(exchange.getContext(), began).orElse(IdempotencyKeys.emptyDigest());
        return IdempotencyKeys.forPartDigest(entry.key() != null ? entry.key() : entry.routeId(), digest);
    }

    static String keyFor(Exchange exchange, Entry entry) {
        String business = exchange.getProperty(SelfhealProperties.IDEMPOTENCY_KEY, String.class);
        if (business != null && !business.isBlank()) {
            return business;
        }
        String id = exchange.getExchangeId();
        String current = exchange.getMessage().getHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER, String.class);
        if (current != null && !current.isBlank()
                && id.equals(exchange.getProperty(SelfhealProperties.IDEMPOTENCY_KEY_OWNER, String.class))) {
            return current;
        }
        String digest = entry.key() != null && id.equals(entry.exchangeId()) ? null
                : BodyDigest.sha256(exchange.getMessage()).orElse(IdempotencyKeys.emptyDigest());
        if (id.equals(entry.exchangeId())) {
            return entry.key() != null ? entry.key() : IdempotencyKeys.fromDigest(entry.routeId(), digest);
        }
        return IdempotencyKeys.forPartDigest(entry.key() != null ? entry.key() : entry.routeId(), digest);
    }

    /**
     * The method camel-http will use: its own rule for an http endpoint (the one the intercepted URI names, or null),
     * else header, URI parameter, body.
     */
    static String method(Exchange exchange, HttpEndpoint http) {
        if (http != null) {
            try {
                return HttpMethodHelper.createMethod(exchange, http).name();
            } catch (Exception e) {
                // fall through to the generic rule
            }
        }
        String header = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class);
        if (header != null) {
            return header;
        }
        String uri = exchange.getProperty(ExchangePropertyKey.INTERCEPTED_ENDPOINT, String.class);
        if (uri != null && uri.indexOf('?') >= 0) {
            try {
                Map<String, Object> params = URISupport.parseQuery(uri.substring(uri.indexOf('?') + 1));
                Object m = params.get("httpMethod");
                if (m != null) {
                    return m.toString();
                }
            } catch (Exception e) {
                // unparsable query: decide by the body
            }
        }
        return exchange.getMessage().getBody() != null ? "POST" : "GET";
    }
}
