package io.selfheal.camel.escalation;

import io.selfheal.camel.Selfheal;
import io.selfheal.camel.idempotency.BodyDigest;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.model.MulticastDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SplitDefinition;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where a unit of work began and the message as it was then: a route entered (from its consumer, through
 * {@code direct:}, as a kamelet), or a split item or multicast branch started inside a route. A give-up parks the
 * message of the unit its failing step belongs to, and a replay re-enters there, so it redoes exactly the work that gave
 * up: a sub-route's replay does not run its parent's steps again, and an item's does not run the whole split.
 * <p>
 * Kept per exchange as an immutable chain, newest first, in the exchange property {@value #PROPERTY}; a split item
 * copies its parent's properties, so items share the older part of the chain and never see each other's. The body is
 * kept by reference (a one-shot stream is read into bytes first), as Camel's redelivery keeps it: a body object that
 * a later step changes in place is parked as it is then.
 */
public final class WorkStart {
    static final String PROPERTY = "SelfhealWorkStart";
    private static final String CAMEL_HEADER_PREFIX = "Camel";
    private static final Object[] NO_HEADERS = new Object[0];

    private final String exchangeId;
    private final String routeId;
    /** The split or multicast step whose item this is; null when the unit is the route itself. */
    private final String step;
    /** The multicast branch, or 0 for a split item and a route. */
    private final int branch;
    private final Object body;
    /** Names and values, flat: a copy that costs less than a map's. */
    private final Object[] headers;
    /** Camel's own headers the message came with from its source (a file name, an HTTP path): kept on a replay. */
    private final Set<String> sourceCamelHeaders;
    private final WorkStart older;

    private WorkStart(String exchangeId, String routeId, String step, int branch, Object body,
                      Object[] headers, Set<String> sourceCamelHeaders, WorkStart older) {
        this.exchangeId = exchangeId;
        this.routeId = routeId;
        this.step = step;
        this.branch = branch;
        this.body = body;
        this.headers = headers;
        this.sourceCamelHeaders = sourceCamelHeaders;
        this.older = older;
    }

    String routeId() {
        return routeId;
    }

    String step() {
        return step;
    }

    int branch() {
        return branch;
    }

    Object body() {
        return body;
    }

    /**
     * The headers as the unit began, without the Camel headers a call added on the way (CamelHttpResponseCode,
     * CamelJdbcUpdateCount...): only those the message came with from its source are kept.
     */
    Map<String, Object> replayHeaders() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            String name = (String) headers[i];
            if (!name.startsWith(CAMEL_HEADER_PREFIX) || sourceCamelHeaders.contains(name)) {
                out.put(name, headers[i + 1]);
            }
        }
        return out;
    }

    /** Re-entry description for a step: {@code split1}, or {@code multicast2#1} for a multicast's second branch. */
    String stepReference() {
        return step == null ? null : branch == 0 ? step : step + "#" + branch;
    }

    /** The unit of work of this exchange in {@code routeId}: the latest it began there, or null. */
    static WorkStart of(Exchange exchange, String routeId) {
        String id = exchange.getExchangeId();
        for (WorkStart w = exchange.getProperty(PROPERTY, WorkStart.class); w != null; w = w.older) {
            if (w.exchangeId.equals(id) && Objects.equals(w.routeId, routeId)) {
                return w;
            }
        }
        return null;
    }

    /**
     * The body this exchange had when its first unit of work began (a split item's or branch's start, or the first route
     * it entered), or its current body when none was recorded.
     */
    public static Object firstBodyOf(Exchange exchange) {
        String id = exchange.getExchangeId();
        WorkStart first = null;
        for (WorkStart w = exchange.getProperty(PROPERTY, WorkStart.class); w != null; w = w.older) {
            if (w.exchangeId.equals(id)) {
                first = w;
            }
        }
        return first != null ? first.body : BodyDigest.rereadable(exchange.getMessage());
    }

    static void begin(Exchange exchange, String routeId, String step, int branch) {
        WorkStart head = exchange.getProperty(PROPERTY, WorkStart.class);
        Message in = exchange.getIn();
        Set<String> source = head != null ? head.sourceCamelHeaders : camelHeaderNames(in);
        String id = exchange.getExchangeId();
        Object[] headers = NO_HEADERS;
        if (in.hasHeaders()) {
            Map<String, Object> map = in.getHeaders();
            headers = new Object[map.size() * 2];
            int i = 0;
            for (Map.Entry<String, Object> e : map.entrySet()) {
                headers[i++] = e.getKey();
                headers[i++] = e.getValue();
            }
        }
        exchange.setProperty(PROPERTY, new WorkStart(id, routeId, step, branch, BodyDigest.rereadable(in), headers,
                source, without(head, id, routeId, step, branch)));
    }

    /**
     * The chain without this exchange's earlier start of the same unit (a redelivery, or a loop, began it again: the
     * latest start replaces it), so a long-lived exchange keeps one start per unit. Older parts are shared, not copied.
     */
    private static WorkStart without(WorkStart chain, String id, String routeId, String step, int branch) {
        for (WorkStart w = chain; w != null; w = w.older) {
            if (w.sameUnit(id, routeId, step, branch)) {
                return copyUntil(chain, w);
            }
        }
        return chain;
    }

    private static WorkStart copyUntil(WorkStart from, WorkStart removed) {
        if (from == removed) {
            return removed.older;
        }
        return new WorkStart(from.exchangeId, from.routeId, from.step, from.branch, from.body, from.headers,
                from.sourceCamelHeaders, copyUntil(from.older, removed));
    }

    private boolean sameUnit(String id, String routeId, String step, int branch) {
        return exchangeId.equals(id) && Objects.equals(this.routeId, routeId) && Objects.equals(this.step, step)
                && this.branch == branch;
    }

    private static Set<String> camelHeaderNames(Message in) {
        if (!in.hasHeaders()) {
            return Set.of();
        }
        return Set.copyOf(in.getHeaders().keySet().stream().filter(n -> n.startsWith(CAMEL_HEADER_PREFIX)).toList());
    }

    private static boolean selfhealsOwn(String routeId) {
        return routeId == null || routeId.startsWith("selfheal-");
    }

    /** Records each route a message enters, on every route but Selfheal's own. */
    public static final class RouteEntries extends RoutePolicySupport implements RoutePolicyFactory {
        @Override
        public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
            return selfhealsOwn(routeId) ? null : this;
        }

        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            begin(exchange, route.getRouteId(), null, 0);
        }
    }

    /**
     * Records the start of each split item and multicast branch: wraps the first step of a split's steps and each
     * branch of a multicast.
     */
    public static final class ItemStarts implements InterceptStrategy {
        @Override
        public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                     Processor nextTarget) {
            if (!(definition instanceof ProcessorDefinition<?> node)) {
                return target;
            }
            ProcessorDefinition<?> parent = node.getParent();
            boolean item = parent instanceof SplitDefinition && parent.getOutputs().indexOf(node) == 0
                    || parent instanceof MulticastDefinition;
            if (!item || parent.getId() == null) {
                return target;
            }
            RouteDefinition route = ProcessorDefinitionHelper.getRoute(node);
            String routeId = route == null ? null : route.getRouteId();
            if (selfhealsOwn(routeId)) {
                return target;
            }
            String step = parent.getId();
            int branch = parent instanceof SplitDefinition ? 0 : parent.getOutputs().indexOf(node);
            return new DelegateAsyncProcessor(target) {
                @Override
                public boolean process(Exchange exchange, AsyncCallback callback) {
                    begin(exchange, routeId, step, branch);
                    return super.process(exchange, callback);
                }
            };
        }
    }
}
