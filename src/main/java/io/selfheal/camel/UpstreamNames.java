package io.selfheal.camel;

import io.selfheal.breaker.UpstreamUnavailableException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.http.base.HttpOperationFailedException;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the upstream a failure came from: the {@code SelfhealUpstream} property when a route sets it, else the host
 * of an HTTP URI, the data source of a JDBC or SQL endpoint, or the endpoint itself.
 */
public final class UpstreamNames {
    /** The user-info of "scheme://user:password@host" (an authority; "seda:a@b" has none). */
    private static final Pattern USERINFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@?#]*@");
    private static final Pattern DATA_SOURCE_PARAM = Pattern.compile("[?&]dataSource=(?:#|%23)?(?:bean:)?([^&]+)");

    private UpstreamNames() {
    }

    public static String resolve(Exchange exchange, Throwable failure) {
        String explicit = exchange.getProperty(SelfhealProperties.UPSTREAM, String.class);
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UpstreamUnavailableException u) {
                // the call was never made: the gate knows whose breaker or hold turned it away
                return u.upstream();
            }
            if (t instanceof HttpOperationFailedException h && h.getUri() != null) {
                String host = host(h.getUri());
                if (host != null) {
                    return host;
                }
            }
        }
        String endpoint = exchange.getProperty(ExchangePropertyKey.TO_ENDPOINT, String.class);
        if (endpoint != null) {
            return fromEndpointUri(endpoint);
        }
        String route = exchange.getFromRouteId();
        return route == null ? "unknown" : "route:" + route;
    }

    /** "http://inventory:8080/items?x=1" → "inventory"; "jdbc:ordersDb" → "ordersDb"; "seda:x?y" → "seda:x". */
    public static String fromEndpointUri(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http:") || lower.startsWith("https:")) {
            String host = host(uri.replaceFirst("^(?i)(https?):(?!//)", "$1://"));
            if (host != null) {
                return host;
            }
        }
        if (lower.startsWith("jdbc:")) {
            String rest = uri.substring(5);
            int q = rest.indexOf('?');
            return (q >= 0 ? rest.substring(0, q) : rest).replaceFirst("^//", "");
        }
        if (lower.startsWith("sql:") || lower.startsWith("sql-stored:")) {
            Matcher m = DATA_SOURCE_PARAM.matcher(uri);
            if (m.find()) {
                return m.group(1);
            }
            return "dataSource";
        }
        int q = uri.indexOf('?');
        String name = q >= 0 ? uri.substring(0, q) : uri;
        // the name is shown in logs, alerts and metric labels: never with the credentials of user:password@host
        return USERINFO.matcher(name).replaceFirst("$1");
    }

    private static String host(String uri) {
        try {
            return URI.create(uri.trim().replace(" ", "%20")).getHost();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
