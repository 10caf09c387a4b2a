package io.selfheal.camel;

import io.selfheal.camel.idempotency.IdempotencyKeyHeader;

import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigValues;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.RouteTemplateContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The route template {@value #TEMPLATE_ID}: one HTTP call to a named upstream with the whole recipe (classification,
 * backoff, Retry-After, the upstream's circuit breaker, hold and retry budget, escalation). Use it as a step, from
 * YAML ({@code - kamelet: {name: resilient-http, parameters: {...}}}) or Java ({@code .kamelet("resilient-http?...")}).
 * <p>
 * Parameters: {@code upstream} (required: names the breaker and budget), {@code url} (required, http or https; may
 * hold {@code ${...}} simple expressions), {@code method} (GET), {@code connectTimeout} (2s), {@code readTimeout}
 * (10s) (durations such as 500ms or 2s, or milliseconds), {@code idempotencyKey} (optional: a simple expression the
 * Idempotency-Key is computed from; passed on as exchange property {@code SelfhealIdempotencyKeyFrom}),
 * {@code idempotent} (true, false, or auto: true for GET, HEAD, PUT, DELETE, OPTIONS; passed on as exchange property
 * {@code SelfhealIdempotent}).
 * <p>
 * The template carries the self-healing clauses itself (route-scoped), so it heals whether or not the calling route
 * names {@code self-healing}. Kamelets in no-error-handler mode ({@code camel.component.kamelet.no-error-handler=true})
 * run without error handler and so without these clauses: leave that option off.
 */
public class ResilientHttpTemplate extends RouteBuilder {
    public static final String TEMPLATE_ID = "resilient-http";

    public static final String UPSTREAM = "upstream";
    public static final String URL = "url";
    public static final String METHOD = "method";
    public static final String CONNECT_TIMEOUT = "connectTimeout";
    public static final String READ_TIMEOUT = "readTimeout";
    public static final String IDEMPOTENCY_KEY = "idempotencyKey";
    public static final String IDEMPOTENT = "idempotent";

    public static final String DEFAULT_METHOD = "GET";
    public static final String DEFAULT_CONNECT_TIMEOUT = "2s";
    public static final String DEFAULT_READ_TIMEOUT = "10s";
    /** Retries are safe by default: every mutating call carries an Idempotency-Key the server can deduplicate on. */
    public static final String DEFAULT_IDEMPOTENT = "true";

    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");
    /** Safe or idempotent by HTTP semantics (RFC 9110, 9.2.2). */
    static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

    /** Internal exchange properties carrying one instance's parameters to the processors that prepare the call. */
    static final String P_URL = "SelfhealHttpUrl";
    static final String P_KEY = "SelfhealTemplateIdempotencyKey";
    static final String P_OPTIONS = "SelfhealHttpOptions";
    static final String P_URI = "SelfhealHttpUri";
    static final String P_OUTER_UPSTREAM = "SelfhealOuterUpstream";

    @Override
    public void configure() {
        RouteDefinition route = routeTemplate(TEMPLATE_ID)
                .description("One HTTP call to a named upstream, with retries, breaker, budget and escalation")
                .templateParameter(UPSTREAM, null, "Name of the upstream: its circuit breaker, retry budget and retry policy")
                .templateParameter(URL, null, "http or https URL; may hold ${...} simple expressions")
                .templateParameter(METHOD, DEFAULT_METHOD, "HTTP method")
                .templateParameter(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, "Connect timeout: 500ms, 2s, or milliseconds")
                .templateParameter(READ_TIMEOUT, DEFAULT_READ_TIMEOUT, "Response timeout: 500ms, 10s, or milliseconds")
                .templateParameter(IDEMPOTENCY_KEY, "", "Simple expression the Idempotency-Key is computed from (optional)")
                .templateParameter(IDEMPOTENT, DEFAULT_IDEMPOTENT, "true, false, or auto (from the method)")
                .configure(ResilientHttpTemplate::validate)
                .from("kamelet:source");
        // route-scoped self-healing clauses: they win over any the calling route passes on, and apply when it has none
        SelfHealingClauses.configure(route.onException(Exception.class))
                .process(SelfHealingClauses.giveUpRecorder())
                .to(SelfHealingClauses.ESCALATION_ENDPOINT)
                .end();
        route.setProperty(P_URL, simple("{{" + URL + "}}"))
                .setProperty(P_OPTIONS, constant(String.join("|", "{{" + UPSTREAM + "}}", "{{" + METHOD + "}}",
                        "{{" + CONNECT_TIMEOUT + "}}", "{{" + READ_TIMEOUT + "}}", "{{" + IDEMPOTENT + "}}")))
                .setProperty(P_KEY, simple("{{" + IDEMPOTENCY_KEY + "}}"))
                .process(new PrepareCall())
                .toD("${exchangeProperty." + P_URI + "}")
                .process(new FinishCall());
    }

    /** Checks an instance's parameters when it is created, so a typo stops start-up naming the parameter. */
    /** The parameters this template takes; Camel's own (routeId, templateId, uuid, location) are let through. */
    static final java.util.List<String> PARAMETERS = java.util.List.of(UPSTREAM, URL, METHOD, CONNECT_TIMEOUT,
            READ_TIMEOUT, IDEMPOTENCY_KEY, IDEMPOTENT);
    private static final java.util.Set<String> CAMEL_PARAMETERS = java.util.Set.of("routeId", "templateId", "uuid",
            "location", "routeDescription", "routeGroup", "prefixId", "noErrorHandler", "templatedRoute");

    static void validate(RouteTemplateContext rtc) {
        Map<String, Object> p = rtc.getParameters();
        for (String given : p.keySet()) {
            // a misspelt parameter would otherwise be ignored and its default used in silence; Camel passes options
            // of its own too (bridgeErrorHandler, routeId ...), so only a near miss of one of ours is a typo
            if (PARAMETERS.contains(given) || CAMEL_PARAMETERS.contains(given)) {
                continue;
            }
            String nearest = PARAMETERS.stream()
                    .min(java.util.Comparator.comparingInt(k -> io.selfheal.config.ConfigReader.levenshtein(
                            k.toLowerCase(Locale.ROOT), given.toLowerCase(Locale.ROOT))))
                    .orElse(URL);
            if (io.selfheal.config.ConfigReader.levenshtein(nearest.toLowerCase(Locale.ROOT), given.toLowerCase(Locale.ROOT)) <= 3) {
                throw new IllegalArgumentException("Route template " + TEMPLATE_ID + ": unknown parameter '" + given
                        + "'; did you mean '" + nearest + "'? (parameters: " + String.join(", ", PARAMETERS) + ")");
            }
        }
        String upstream = text(p.get(UPSTREAM));
        if (upstream.isBlank()) {
            throw invalid(UPSTREAM, upstream, "must name the upstream");
        }
        if (upstream.contains("|")) {
            throw invalid(UPSTREAM, upstream, "must not contain '|'");
        }
        String url = text(p.get(URL));
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://") && !lower.startsWith("{{")
                && !lower.startsWith("${")) {
            throw invalid(URL, url, "must be an http:// or https:// URL");
        }
        method(text(p.getOrDefault(METHOD, DEFAULT_METHOD)));
        timeoutMillis(CONNECT_TIMEOUT, text(p.getOrDefault(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT)));
        timeoutMillis(READ_TIMEOUT, text(p.getOrDefault(READ_TIMEOUT, DEFAULT_READ_TIMEOUT)));
        idempotent(text(p.getOrDefault(IDEMPOTENT, DEFAULT_IDEMPOTENT)), DEFAULT_METHOD);
    }

    static String method(String value) {
        String m = value.trim().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(m)) {
            throw invalid(METHOD, value, "expected one of " + new java.util.TreeSet<>(METHODS));
        }
        return m;
    }

    static long timeoutMillis(String name, String value) {
        String v = value.trim();
        long millis;
        if (v.matches("\\d{1,12}")) {
            millis = Long.parseLong(v);
        } else {
            try {
                millis = ConfigValues.duration(name, v).toMillis();
            } catch (ConfigException e) {
                throw invalid(name, value, "expected a duration such as 500ms or 2s, or milliseconds");
            }
        }
        if (millis < 1 || millis > Duration.ofHours(1).toMillis()) {
            throw invalid(name, value, "must be between 1ms and 1h");
        }
        return millis;
    }

    static boolean idempotent(String value, String method) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            case "auto", "" -> IDEMPOTENT_METHODS.contains(method);
            default -> throw invalid(IDEMPOTENT, value, "expected true, false or auto");
        };
    }

    private static IllegalArgumentException invalid(String parameter, String value, String why) {
        return new IllegalArgumentException("Route template " + TEMPLATE_ID + ": invalid value '" + value
                + "' for parameter " + parameter + ": " + why);
    }

    private static String text(Object o) {
        return o == null ? "" : o.toString();
    }

    /**
     * Names the upstream for this call (keeping the caller's, to put back afterwards), passes the idempotency settings
     * on, and builds the endpoint URI with method and timeouts.
     */
    static final class PrepareCall implements Processor {
        @Override
        public void process(Exchange exchange) {
            String[] o = exchange.removeProperty(P_OPTIONS).toString().split("\\|", -1);
            String upstream = o[0];
            String method = method(o[1]);
            long connect = timeoutMillis(CONNECT_TIMEOUT, o[2]);
            long read = timeoutMillis(READ_TIMEOUT, o[3]);
            boolean idempotent = idempotent(o[4], method);

            Object outer = exchange.getProperty(SelfhealProperties.UPSTREAM);
            if (outer != null) {
                exchange.setProperty(P_OUTER_UPSTREAM, outer);
            }
            exchange.setProperty(SelfhealProperties.UPSTREAM, upstream);
            exchange.setProperty(SelfhealProperties.IDEMPOTENT, idempotent);
            // the template is a self-healing flow of its own even when the calling route is not one: fix the message's
            // key here if no self-healing route did on entry
            if (IdempotencyKeyHeader.entryOf(exchange) == null) {
                try {
                    IdempotencyKeyHeader.entryRecorder().process(exchange);
                } catch (Exception e) {
                    throw org.apache.camel.RuntimeCamelException.wrapRuntimeCamelException(e);
                }
            }
            // the template's idempotencyKey expression, evaluated for this message, is the business key of the call
            Object key = exchange.removeProperty(P_KEY);
            if (key != null && !key.toString().isBlank()) {
                exchange.setProperty(SelfhealProperties.IDEMPOTENCY_KEY, key.toString());
            }
            String url = String.valueOf(exchange.removeProperty(P_URL));
            // stamp the Idempotency-Key here: the self-healing configuration's interceptor only sees routes that name it
            IdempotencyKeyHeader.Entry entry = IdempotencyKeyHeader.entryOf(exchange);
            if (entry != null && io.selfheal.idempotency.IdempotencyKeys.isMutating(method)) {
                exchange.getMessage().setHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER,
                        IdempotencyKeyHeader.keyFor(exchange, entry, method, url));
            }
            exchange.setProperty(P_URI, url + (url.contains("?") ? "&" : "?") + "httpMethod=" + method
                    + "&connectTimeout=" + connect + "&responseTimeout=" + read);
        }
    }

    /** Puts the caller's upstream back, so later steps of the calling route are not attributed to this one. */
    static final class FinishCall implements Processor {
        @Override
        public void process(Exchange exchange) {
            exchange.removeProperty(P_URI);
            Object outer = exchange.removeProperty(P_OUTER_UPSTREAM);
            if (outer != null) {
                exchange.setProperty(SelfhealProperties.UPSTREAM, outer);
            } else {
                exchange.removeProperty(SelfhealProperties.UPSTREAM);
            }
        }
    }
}
