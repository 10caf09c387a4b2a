package io.selfheal.idempotency;

import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * True only when a failure proves the request never left this process: no connection was made (refused, unknown host,
 * no route, connect timeout), or no pooled connection was handed out, or a circuit breaker refused the call. Anything
 * that can happen after bytes were written (a read timeout, a reset, an empty or any HTTP response) is false. Used for
 * operations that must not run twice: only these failures are safe to retry.
 * <p>
 * By class name (and superclass names), so optional libraries need not be on the classpath.
 */
public final class RequestNeverSent {
    static final Set<String> NEVER_SENT = Set.of(
            "java.net.ConnectException",                                // refused; HttpClient's HttpHostConnectException extends it
            "java.net.UnknownHostException",
            "java.net.NoRouteToHostException",
            "java.net.PortUnreachableException",
            "java.net.http.HttpConnectTimeoutException",
            "org.apache.hc.client5.http.ConnectTimeoutException",       // HttpClient 5: connect timed out
            "org.apache.hc.client5.http.HttpHostConnectException",
            "org.apache.hc.client5.http.UnsupportedSchemeException",
            "org.apache.hc.core5.http.ConnectionRequestTimeoutException", // HttpClient 5: no pooled connection in time
            "org.apache.http.conn.ConnectTimeoutException",             // HttpClient 4
            "org.apache.http.conn.ConnectionPoolTimeoutException",
            "io.github.resilience4j.circuitbreaker.CallNotPermittedException",
            "io.selfheal.idempotency.KeyInProgressException");          // the copy waits for its key: nothing ran
    /** JDBC: the client could not open a connection (08001) or the server refused it (08004). */
    static final Set<String> NEVER_SENT_SQLSTATES = Set.of("08001", "08004");
    private static final int MAX_CHAIN = 32;

    private RequestNeverSent() {
    }

    public static boolean test(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.size() < MAX_CHAIN && seen.add(t); t = t.getCause()) {
            for (Class<?> c = t.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                if (NEVER_SENT.contains(c.getName())) {
                    return true;
                }
            }
            if (t instanceof SQLException s && s.getSQLState() != null && NEVER_SENT_SQLSTATES.contains(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
