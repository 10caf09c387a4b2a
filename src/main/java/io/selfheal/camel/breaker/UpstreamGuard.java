package io.selfheal.camel.breaker;

import io.selfheal.camel.SelfHealingClauses;
import io.selfheal.camel.UpstreamNames;
import io.selfheal.camel.retry.FailureRecorder;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.processor.SendDynamicProcessor;
import org.apache.camel.processor.SendProcessor;
import org.apache.camel.spi.InterceptStrategy;

import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Puts the upstream's breaker, Retry-After hold and budget bookkeeping around every HTTP call ({@code to} and
 * {@code toD} to http/https; a toD is checked per exchange) in a route that has the self-healing clauses (it names {@code self-healing}, or a route
 * configuration built with {@link SelfHealingClauses#applyTo}). It wraps the send step itself, inside the error handler, so
 * each redelivery passes through it again: every attempt is seen exactly once. Sends inside the failure route
 * ({@code onException}) are left alone. Calls made by other EIPs (enrich, recipientList, wireTap) are not guarded.
 */
public final class UpstreamGuard implements InterceptStrategy {
    /** Endpoint schemes whose calls go through the gate. */
    static final Set<String> GUARDED_SCHEMES = Set.of("http", "https");

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        if (!(definition instanceof ProcessorDefinition<?> node) || insideFailureRoute(node) || !healing(node)) {
            return target;
        }
        if (target instanceof SendProcessor send && send.getDestination() != null) {
            String uri = send.getDestination().getEndpointUri();
            if (guarded(uri)) {
                GuardedSend.Call call = new GuardedSend.Call(UpstreamNames.fromEndpointUri(uri), uri);
                return new GuardedSend(target, exchange -> call);
            }
        } else if (target instanceof SendDynamicProcessor dynamic && dynamic.getUri() != null) {
            // the endpoint is known per exchange: the gate decides per exchange whether it is an HTTP call
            return new GuardedSend(target, upstreamOfDynamicUri(context, dynamic.getUri()));
        }
        return target;
    }

    static boolean guarded(String uri) {
        if (uri == null) {
            return false;
        }
        int colon = uri.indexOf(':');
        return colon > 0 && GUARDED_SCHEMES.contains(uri.substring(0, colon).toLowerCase(Locale.ROOT));
    }

    /** The route of this step uses the self-healing clauses (its onException runs the FailureRecorder). */
    private static boolean healing(ProcessorDefinition<?> node) {
        RouteDefinition route = ProcessorDefinitionHelper.getRoute(node);
        if (route == null) {
            return false;
        }
        for (ProcessorDefinition<?> output : route.getOutputs()) {
            if (output instanceof OnExceptionDefinition oe && oe.getOnExceptionOccurred() instanceof FailureRecorder) {
                return true;
            }
        }
        return false;
    }

    private static boolean insideFailureRoute(ProcessorDefinition<?> node) {
        for (ProcessorDefinition<?> p = node; p != null; p = p.getParent()) {
            if (p instanceof OnExceptionDefinition) {
                return true;
            }
        }
        return false;
    }

    private static String resolvePlaceholders(CamelContext context, String raw) {
        try {
            return context.resolvePropertyPlaceholders(raw);
        } catch (RuntimeException e) {
            return raw;
        }
    }

    /**
     * toD: evaluates the URI as toD does (simple language) and returns its upstream, or null when it is not an HTTP
     * call (the gate then lets it through untouched).
     */
    private static Function<Exchange, GuardedSend.Call> upstreamOfDynamicUri(CamelContext context, String raw) {
        String uri = resolvePlaceholders(context, raw);
        if (!uri.contains("${")) {
            GuardedSend.Call call = guarded(uri) ? new GuardedSend.Call(UpstreamNames.fromEndpointUri(uri), uri) : null;
            return exchange -> call;
        }
        if (!uri.startsWith("${") && uri.indexOf(':') > 0 && !guarded(uri)) {
            return exchange -> null;
        }
        Expression expression = context.resolveLanguage("simple").createExpression(uri);
        expression.init(context);
        return exchange -> {
            String resolved = expression.evaluate(exchange, String.class);
            return guarded(resolved) ? new GuardedSend.Call(UpstreamNames.fromEndpointUri(resolved), resolved) : null;
        };
    }
}
