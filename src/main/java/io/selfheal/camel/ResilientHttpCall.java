package io.selfheal.camel;

import io.selfheal.camel.idempotency.IdempotencyKeyHeader;
import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigValues;
import io.selfheal.idempotency.IdempotencyKeys;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Processor;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.support.service.ServiceSupport;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Java side of the {@value SelfhealKamelets#RESILIENT_HTTP} Kamelet (kamelets/resilient-http.kamelet.yaml), a
 * template bean of each use: before the call ({@link #process}) it names the upstream for this call (keeping the
 * caller's, to put back in {@link #finish}), passes the idempotency settings on, fixes the message's Idempotency-Key
 * and builds the endpoint URI with method and timeouts into {@value #P_URI}, which the Kamelet's {@code toD} calls.
 * The Kamelet's parameters are bound as properties; {@link #checkValues} checks them when the use's route is made.
 */
public final class ResilientHttpCall extends ServiceSupport implements Processor, CamelContextAware {
    public static final String UPSTREAM = "upstream";
    public static final String URL = "url";
    public static final String METHOD = "method";
    public static final String CONNECT_TIMEOUT = "connectTimeout";
    public static final String READ_TIMEOUT = "readTimeout";
    public static final String IDEMPOTENCY_KEY = "idempotencyKey";
    public static final String IDEMPOTENT = "idempotent";

    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");
    /** Safe or idempotent by HTTP semantics (RFC 9110, 9.2.2). */
    static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

    /** The endpoint URI of this message's call, for the Kamelet's toD. */
    public static final String P_URI = "SelfhealHttpUri";
    static final String P_OUTER_UPSTREAM = "SelfhealOuterUpstream";

    private CamelContext camelContext;
    private String upstream;
    private String url;
    private String method = "GET";
    private String connectTimeout = "2s";
    private String readTimeout = "10s";
    private String idempotencyKey = "";
    private String idempotent = "true";
    // fixed at start from the parameters above
    private volatile Call call;

    private record Call(String upstream, Expression url, String method, long connectMillis, long readMillis,
                        Expression key, boolean idempotent) {
    }

    /** Checks one use's parameters when its route is made from the template, so a bad value stops start-up. */
    public static void checkValues(Map<String, Object> p) {
        String upstream = text(p.get(UPSTREAM));
        if (upstream.isBlank()) {
            throw invalid(UPSTREAM, upstream, "must name the upstream");
        }
        String url = text(p.get(URL)).trim();
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://") && !lower.startsWith("${")) {
            throw invalid(URL, url, "must be an http:// or https:// URL");
        }
        String m = method(text(p.getOrDefault(METHOD, "GET")));
        timeoutMillis(CONNECT_TIMEOUT, text(p.getOrDefault(CONNECT_TIMEOUT, "2s")));
        timeoutMillis(READ_TIMEOUT, text(p.getOrDefault(READ_TIMEOUT, "10s")));
        idempotent(text(p.getOrDefault(IDEMPOTENT, "true")), m);
    }

    @Override
    protected void doStart() {
        SelfhealKamelets.requireSelfheal(camelContext, SelfhealKamelets.RESILIENT_HTTP);
        String m = method(method);
        call = new Call(upstream, simple(url), m, timeoutMillis(CONNECT_TIMEOUT, connectTimeout),
                timeoutMillis(READ_TIMEOUT, readTimeout),
                idempotencyKey == null || idempotencyKey.isBlank() ? null : simple(idempotencyKey),
                idempotent(idempotent, m));
    }

    private Expression simple(String text) {
        Expression e = camelContext.resolveLanguage("simple").createExpression(text);
        e.init(camelContext);
        return e;
    }

    @Override
    public void process(Exchange exchange) {
        Call c = call;
        Object outer = exchange.getProperty(SelfhealProperties.UPSTREAM);
        if (outer != null) {
            exchange.setProperty(P_OUTER_UPSTREAM, outer);
        }
        exchange.setProperty(SelfhealProperties.UPSTREAM, c.upstream());
        exchange.setProperty(SelfhealProperties.IDEMPOTENT, c.idempotent());
        // the Kamelet is a self-healing flow of its own even when the calling route is not one: fix the message's
        // key here if no self-healing route did on entry
        if (IdempotencyKeyHeader.entryOf(exchange) == null) {
            try {
                IdempotencyKeyHeader.entryRecorder().process(exchange);
            } catch (Exception e) {
                throw RuntimeCamelException.wrapRuntimeCamelException(e);
            }
        }
        // the idempotencyKey expression, evaluated for this message, is the business key of the call
        if (c.key() != null) {
            String key = c.key().evaluate(exchange, String.class);
            if (key != null && !key.isBlank()) {
                exchange.setProperty(SelfhealProperties.IDEMPOTENCY_KEY, key);
            }
        }
        String target = c.url().evaluate(exchange, String.class);
        // stamp the Idempotency-Key here: the self-healing configuration's interceptor only sees routes that name it
        IdempotencyKeyHeader.Entry entry = IdempotencyKeyHeader.entryOf(exchange);
        if (entry != null && IdempotencyKeys.isMutating(c.method())) {
            exchange.getMessage().setHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER,
                    IdempotencyKeyHeader.keyFor(exchange, entry, c.method(), target));
        }
        exchange.setProperty(P_URI, target + (target.contains("?") ? "&" : "?") + "httpMethod=" + c.method()
                + "&connectTimeout=" + c.connectMillis() + "&responseTimeout=" + c.readMillis());
    }

    /** After the call: puts the caller's upstream back, so its later steps are not attributed to this one. */
    public void finish(Exchange exchange) {
        exchange.removeProperty(P_URI);
        Object outer = exchange.removeProperty(P_OUTER_UPSTREAM);
        if (outer != null) {
            exchange.setProperty(SelfhealProperties.UPSTREAM, outer);
        } else {
            exchange.removeProperty(SelfhealProperties.UPSTREAM);
        }
    }

    static String method(String value) {
        String m = value.trim().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(m)) {
            throw invalid(METHOD, value, "expected one of " + new TreeSet<>(METHODS));
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
        return new IllegalArgumentException("kamelet " + SelfhealKamelets.RESILIENT_HTTP + ": invalid value '" + value
                + "' for parameter " + parameter + ": " + why);
    }

    private static String text(Object o) {
        return o == null ? "" : o.toString();
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    // the Kamelet's parameters, bound by Camel from the template's bean properties

    public void setUpstream(String upstream) {
        this.upstream = upstream;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public void setMethod(String method) {
        this.method = method;
    }

    public void setConnectTimeout(String connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public void setReadTimeout(String readTimeout) {
        this.readTimeout = readTimeout;
    }

    public void setIdempotencyKey(String idempotencyKey) {
        this.idempotencyKey = idempotencyKey;
    }

    public void setIdempotent(String idempotent) {
        this.idempotent = idempotent;
    }
}
