package io.selfheal.classify;

import static io.selfheal.classify.FailureClass.PERMANENT;
import static io.selfheal.classify.FailureClass.RECOVERABLE;
import static io.selfheal.classify.FailureClass.TRANSIENT;

/**
 * The default rule table. Exception rules are by class name, so a rule for a library that is not on the classpath
 * costs nothing. Statuses not listed fall to their family: other 5xx TRANSIENT, other 4xx (and 3xx) PERMANENT.
 */
final class BuiltInRules {
    static final ClassificationRules RULES = build();

    private BuiltInRules() {
    }

    private static ClassificationRules build() {
        ClassificationRules.Builder b = ClassificationRules.builder();

        // HTTP: upstream trouble is retried; a request the server cannot ever accept is not
        b.http(500, TRANSIENT).http(502, TRANSIENT).http(503, TRANSIENT).http(504, TRANSIENT)
                .http(408, TRANSIENT)      // request timeout: the server gave up waiting, try again
                .http(409, TRANSIENT)      // Idempotency-Key still in flight (IETF draft): wait for it
                .http(425, TRANSIENT)      // too early (TLS replay protection): safe to retry later
                .http(429, RECOVERABLE)    // rate limited: needs the longer wait
                .http(501, PERMANENT).http(505, PERMANENT)
                .http(422, PERMANENT);     // Idempotency-Key reused with another payload

        // SQLSTATE: connection loss, deadlocks, serialization failures, restarts, lock and resource limits
        b.sqlState("08", TRANSIENT)
                .sqlState("40001", TRANSIENT).sqlState("40P01", TRANSIENT)
                .sqlState("57P01", TRANSIENT).sqlState("57P02", TRANSIENT).sqlState("57P03", TRANSIENT)
                .sqlState("57014", TRANSIENT)   // statement timeout / cancelled
                .sqlState("55P03", TRANSIENT)   // lock not available
                .sqlState("53300", TRANSIENT)   // too many connections
                .sqlState("HYT00", TRANSIENT).sqlState("HYT01", TRANSIENT) // JDBC timeouts (H2 lock timeout)
                .sqlState("23", PERMANENT)      // integrity constraint violation
                .sqlState("22", PERMANENT)      // data exception
                .sqlState("42", PERMANENT)      // syntax error or access rule violation, undefined objects
                .sqlState("28", PERMANENT);     // invalid authorization
        // MariaDB/MySQL vendor codes whose SQLSTATE is too generic to decide (1205 is HY000)
        b.vendorCode(1213, TRANSIENT)           // deadlock found when trying to get lock
                .vendorCode(1205, TRANSIENT)    // lock wait timeout exceeded
                .vendorCode(2006, TRANSIENT)    // server has gone away
                .vendorCode(2013, TRANSIENT);   // lost connection during query

        // Network: the request did not get an answer; try again
        for (String name : new String[] {
                "java.io.IOException",
                "java.net.ConnectException", "java.net.NoRouteToHostException", "java.net.UnknownHostException",
                "java.net.SocketTimeoutException", "java.net.SocketException", "java.io.EOFException",
                "java.net.http.HttpTimeoutException", "java.net.http.HttpConnectTimeoutException",
                "org.apache.hc.core5.http.NoHttpResponseException", "org.apache.hc.core5.http.ConnectionClosedException",
                "org.apache.hc.core5.http.ConnectionRequestTimeoutException",
                "org.apache.hc.client5.http.ConnectTimeoutException", "org.apache.hc.client5.http.HttpHostConnectException",
                // a body cut or corrupted mid-transfer: the connection broke, the next one may not
                "org.apache.hc.core5.http.MalformedChunkCodingException", "org.apache.hc.core5.http.TruncatedChunkException",
                // JDBC families, for drivers that set no useful SQLSTATE
                "java.sql.SQLTransientException", "java.sql.SQLRecoverableException",
                "java.sql.SQLNonTransientConnectionException",
                // timeouts, lock and lease expiry in messaging and Camel
                "java.util.concurrent.TimeoutException", "org.apache.camel.ExchangeTimedOutException",
                "java.nio.channels.OverlappingFileLockException",
                "org.apache.kafka.common.errors.RetriableException",
                "jakarta.jms.TransactionRolledBackException", "javax.jms.TransactionRolledBackException",
                "jakarta.jms.ResourceAllocationException", "javax.jms.ResourceAllocationException",
                "org.springframework.dao.TransientDataAccessException",
                "org.springframework.dao.PessimisticLockingFailureException",
                // a copy of a message whose idempotency key another processing still holds: wait for its outcome
                "io.selfheal.idempotency.KeyInProgressException"}) {
            b.exception(name, TRANSIENT);
        }

        // Selfheal's own gate: the upstream's breaker is open or a Retry-After hold is on; wait as long as it says
        b.exception("io.selfheal.breaker.UpstreamUnavailableException", RECOVERABLE);

        // Permanent: certificates and TLS set-up, unreadable payloads, the route's own bugs (by default)
        for (String name : new String[] {
                // HTTP protocol errors are the same on every try (as OkHttp's RetryAndFollowUpInterceptor also holds):
                // a request HttpClient 5 refuses to send (user-info in the URI: it never leaves, so a retry only
                // waits), a response that breaks HTTP (an invalid header or Content-Length, an unsupported
                // version), a redirect loop. A reply with no status line at all is NoHttpResponseException and
                // stays TRANSIENT, like a dropped connection.
                "org.apache.hc.core5.http.ProtocolException", "org.apache.hc.client5.http.UnsupportedSchemeException",
                "javax.net.ssl.SSLHandshakeException", "javax.net.ssl.SSLPeerUnverifiedException",
                "java.security.cert.CertificateException", "java.security.cert.CertPathValidatorException",
                "java.security.cert.CertPathBuilderException", "sun.security.validator.ValidatorException",
                "org.apache.camel.InvalidPayloadException", "org.apache.camel.NoTypeConversionAvailableException",
                "org.apache.camel.TypeConversionException", "org.apache.camel.ExpressionEvaluationException",
                "com.fasterxml.jackson.core.JsonProcessingException", "com.google.gson.JsonParseException",
                "jakarta.json.stream.JsonParsingException", "javax.json.stream.JsonParsingException",
                "org.xml.sax.SAXException", "javax.xml.stream.XMLStreamException",
                "javax.xml.transform.TransformerException", "jakarta.xml.bind.UnmarshalException",
                "java.nio.charset.CharacterCodingException", "java.io.UTFDataFormatException",
                "java.util.zip.ZipException",
                "java.sql.SQLIntegrityConstraintViolationException", "java.sql.SQLSyntaxErrorException",
                "java.sql.SQLDataException", "java.sql.SQLInvalidAuthorizationSpecException",
                "java.sql.SQLFeatureNotSupportedException"}) {
            b.exception(name, PERMANENT);
        }
        return b.build();
    }
}
