package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfHealingClauses;
import io.selfheal.camel.Selfheal;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.escalation.WorkStart;
import io.selfheal.camel.retry.SelfhealErrorHandlerDefinition;

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
import org.apache.camel.http.common.HttpHelper;
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
 * key of its own, per message and call site, that is the same on every retry of that call, after a restart that reads
 * the message again, and on a replay.
 * <p>
 * The key sent is {@link IdempotencyKeys#forCall the message key and a tag of the call} (method and URL without its
 * query), so the PUT, PATCH and DELETE one message makes carry three keys. The message key, in order of precedence:
 * <ol>
 *     <li>the exchange property {@value SelfhealProperties#IDEMPOTENCY_KEY}, when the route sets it (a business key
 *         such as an order id, from any expression);</li>
 *     <li>the key this exchange fixed at its first mutating call (kept for its later calls and retries);</li>
 *     <li>the key fixed when the message entered its first self-healing route: the {@code Idempotency-Key} header it
 *         arrived with (a replay of a parked message arrives with its message key), else a name-based UUID of the
 *         route id and the SHA-256 of the body; an empty body defers this to the body at the first mutating call;</li>
 *     <li>for a copy made inside the route (a split item, a multicast branch): a UUID of the message's key and the
 *         copy's own body, so items of one message get different, stable keys.</li>
 * </ol>
 * Two messages with byte-identical bodies on one route get one key: that is what content-derived keys mean. When
 * that is not wanted, give a business key. The give-up record and the parked message keep the message key, not a
 * call's, so a replay derives every call's key again.
 */
public final class IdempotencyKeyHeader {
    /** The idempotency entry fixed when the message entered its first self-healing route. */
    private static final String ENTRY = "SelfhealIdempotencyEntry";
    /** The message key fixed for an exchange, and which exchange fixed it. */
    private static final String MESSAGE_KEY = "SelfhealIdempotencyMessageKey";
    /** Endpoints whose mutating requests get the header (http and https). */
    public static final String HTTP_ENDPOINTS = "http*";

    private IdempotencyKeyHeader() {
    }

    /**
     * Adds the stamping interceptor to a route configuration (SelfHealingClauses.applyTo does this for self-healing). The key's
     * entry is recorded by {@link EntryRecorder}, a route policy on every route whose error handler is Selfheal's.
     */
    public static void applyTo(RouteConfigurationDefinition rc) {
        rc.interceptSendToEndpoint(HTTP_ENDPOINTS).process(stamper());
    }

    /**
     * What a message's key is fixed from when it enters its first self-healing route: the Idempotency-Key it arrived
     * with, else its route id and its body as it entered. The body's digest is taken the first time the key is needed
     * (most messages never make a mutating call, and hashing every body on entry would cost more than the rest of the
     * happy path); the body object is kept by reference until then, a one-shot stream having been read into bytes on
     * entry. A body mutated in place before the first mutating call is hashed as it is then: the same on every retry
     * (the key is kept), on a replay and after a restart, since the route mutates it the same way again.
     */
    public static final class Entry {
        private final String carried;
        private final Object body;
        private final CamelContext context;
        private final String exchangeId;
        private final String routeId;
        private volatile String key;
        private volatile boolean derived;

        public Entry(String carried, Object body, CamelContext context, String exchangeId, String routeId) {
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

    /** The entry recorded as the message began its first self-healing flow, or null outside one. */
    public static Entry entryOf(Exchange exchange) {
        return exchange.getProperty(ENTRY, Entry.class);
    }

    /** Records the entry of a message into a self-healing route; only the first such route counts. */
    static void recordEntry(Exchange exchange, String routeId) {
        if (exchange.getProperty(ENTRY) != null) {
            return;
        }
        Message in = exchange.getMessage();
        String carried = in.getHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER, String.class);
        if (carried != null && carried.isBlank()) {
            carried = null;
        }
        Object body = carried == null ? BodyDigest.rereadable(in) : null;
        exchange.setProperty(ENTRY, new Entry(carried, body, exchange.getContext(),
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
    public static final class EntryRecorder extends RoutePolicySupport implements RoutePolicyFactory {
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
         * The http endpoint by intercepted URI. Looking an endpoint up normalizes its URI, which costs more than the
         * rest of stamping a key. Only endpoints the context has are kept; an unknown URI is looked up each time.
         */
        private final Map<String, HttpEndpoint> endpoints = new ConcurrentHashMap<>();

        @Override
        public void process(Exchange exchange) {
            Entry entry = exchange.getProperty(ENTRY, Entry.class);
            if (entry == null) {
                // not in a self-healing flow (the interceptor is registered context-wide)
                return;
            }
            HttpEndpoint http = httpEndpoint(exchange);
            String method = method(exchange, http);
            if (!IdempotencyKeys.isMutating(method)) {
                return;
            }
            exchange.getMessage().setHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER,
                    keyFor(exchange, entry, method, url(exchange, http)));
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
     * The message key this message goes by, for the give-up record and the parked message (a replay derives each
     * call's key from it again): the business key, else the key of the self-healing flow, else the header it carries
     * (outside a self-healing flow), else null.
     */
    public static String currentKey(Exchange exchange) {
        String business = exchange.getProperty(SelfhealProperties.IDEMPOTENCY_KEY, String.class);
        if (business != null && !business.isBlank()) {
            return business;
        }
        Entry entry = exchange.getProperty(ENTRY, Entry.class);
        if (entry != null) {
            return messageKey(exchange, entry);
        }
        String header = exchange.getMessage().getHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER, String.class);
        return header != null && !header.isBlank() ? header : null;
    }

    /** The key one mutating call carries: the message key and the call site (method, URL without its query). */
    public static String keyFor(Exchange exchange, Entry entry, String method, String url) {
        return IdempotencyKeys.forCall(messageKey(exchange, entry), method, url);
    }

    /** The message key, fixed for this exchange the first time it is asked for (a business key is never fixed). */
    static String messageKey(Exchange exchange, Entry entry) {
        String business = exchange.getProperty(SelfhealProperties.IDEMPOTENCY_KEY, String.class);
        if (business != null && !business.isBlank()) {
            return business;
        }
        String id = exchange.getExchangeId();
        // properties are copied to split items and multicast branches: a fixed key is this exchange's only if it says so
        FixedKey fixed = exchange.getProperty(MESSAGE_KEY, FixedKey.class);
        if (fixed != null && fixed.exchangeId().equals(id)) {
            return fixed.key();
        }
        String key;
        if (id.equals(entry.exchangeId()) && entry.key() != null) {
            key = entry.key();
        } else if (id.equals(entry.exchangeId())) {
            String digest = BodyDigest.sha256(exchange.getMessage()).orElse(IdempotencyKeys.emptyDigest());
            key = IdempotencyKeys.fromDigest(entry.routeId(), digest);
        } else {
            // a split item or multicast branch: its own key, from the message's and its body as it began (steps
            // before its first mutating call may change the body; its replay starts from the body as it began)
            Object began = WorkStart.firstBodyOf(exchange);
            String digest = BodyDigest.sha256(exchange.getContext(), began).orElse(IdempotencyKeys.emptyDigest());
            key = IdempotencyKeys.forPartDigest(entry.key() != null ? entry.key() : entry.routeId(), digest);
        }
        exchange.setProperty(MESSAGE_KEY, new FixedKey(id, key));
        return key;
    }

    /** A message key and the exchange that fixed it. */
    record FixedKey(String exchangeId, String key) {
    }

    /**
     * The URL camel-http will call (its own rule: the endpoint, or the {@code CamelHttpUri} and {@code CamelHttpPath}
     * headers), else the intercepted endpoint URI.
     */
    static String url(Exchange exchange, HttpEndpoint http) {
        if (http != null) {
            try {
                return HttpHelper.createURL(exchange, http);
            } catch (Exception e) {
                // fall back to the endpoint URI
            }
        }
        return exchange.getProperty(ExchangePropertyKey.INTERCEPTED_ENDPOINT, String.class);
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
