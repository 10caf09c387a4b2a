package io.selfheal.classify;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateExpiredException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import static io.selfheal.classify.FailureClass.PERMANENT;
import static io.selfheal.classify.FailureClass.RECOVERABLE;
import static io.selfheal.classify.FailureClass.TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;

class FailureClassifierTest {

    /** Stands in for camel-http's exception: the classifier only sees it through the extractor. */
    static final class FakeHttpException extends RuntimeException {
        final HttpFailure failure;

        FakeHttpException(int status, Map<String, String> headers) {
            super("HTTP " + status);
            this.failure = new HttpFailure(status, headers);
        }
    }

    private final FailureClassifier classifier = FailureClassifier.defaults()
            .withHttpExtractor(t -> t instanceof FakeHttpException f ? Optional.of(f.failure) : Optional.empty());

    private FailureClass http(int status) {
        return classifier.classify(new FakeHttpException(status, Map.of())).failureClass();
    }

    @ParameterizedTest
    @CsvSource({"500,TRANSIENT", "502,TRANSIENT", "503,TRANSIENT", "504,TRANSIENT", "408,TRANSIENT", "429,RECOVERABLE",
            "501,PERMANENT", "505,PERMANENT", "400,PERMANENT", "401,PERMANENT", "403,PERMANENT", "404,PERMANENT",
            "422,PERMANENT", "409,TRANSIENT", "507,TRANSIENT", "410,PERMANENT", "302,PERMANENT"})
    void httpStatusDefaults(int status, FailureClass expected) {
        assertThat(http(status)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(ints = {503, 500, 400, 404})
    void anyStatusWithRetryAfterIsRecoverable(int status) {
        Classification c = classifier.classify(new FakeHttpException(status, Map.of("rEtRy-AfTeR", "5")));
        assertThat(c.failureClass()).isEqualTo(RECOVERABLE);
        assertThat(c.retryAfter()).contains("5");
    }

    @Test
    void networkFailuresAreTransient() {
        for (Throwable t : new Throwable[] {new ConnectException("Connection refused"), new SocketException("Connection reset"),
                new NoRouteToHostException(), new UnknownHostException("x.invalid"), new SocketTimeoutException("Read timed out"),
                new EOFException(), new SQLTransientConnectionException("pool timeout"), new TimeoutException("lease")}) {
            assertThat(classifier.classify(t).failureClass()).as(t.toString()).isEqualTo(TRANSIENT);
        }
    }

    @Test
    void wrappedNetworkFailureIsFoundInTheCauseChain() {
        RuntimeException wrapped = new RuntimeException("route failed", new IllegalStateException("x", new ConnectException()));
        Classification c = classifier.classify(wrapped);
        assertThat(c.failureClass()).isEqualTo(TRANSIENT);
        assertThat(c.outcome()).isEqualTo("ConnectException");
    }

    @Test
    void certificateFailuresArePermanentEvenInsideAHandshakeException() {
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path validation failed");
        handshake.initCause(new CertificateExpiredException("expired"));
        assertThat(classifier.classify(handshake).failureClass()).isEqualTo(PERMANENT);
        assertThat(classifier.classify(new SSLPeerUnverifiedException("peer not verified")).failureClass()).isEqualTo(PERMANENT);
        SSLHandshakeException remoteClosed = new SSLHandshakeException("Remote host terminated the handshake");
        remoteClosed.initCause(new EOFException("SSL peer shut down incorrectly"));
        assertThat(classifier.classify(remoteClosed).failureClass()).isEqualTo(TRANSIENT);
    }

    /**
     * How Apache HttpClient 5 surfaces HTTP protocol errors, as measured against real servers in the fault matrix:
     * the ones it detects wrap a ProtocolException in a ClientProtocolException (an IOException).
     */
    @Test
    void httpProtocolErrorsArePermanentButABrokenConnectionIsTransient() {
        // a URI with user-info is refused before anything is sent
        assertThat(classifier.classify(new org.apache.hc.client5.http.ClientProtocolException(
                "Request URI authority contains deprecated userinfo component",
                new org.apache.hc.core5.http.ProtocolException("Request URI authority contains deprecated userinfo component")))
                .failureClass()).isEqualTo(PERMANENT);
        // a response line or header that breaks HTTP
        assertThat(classifier.classify(new org.apache.hc.client5.http.ClientProtocolException("Invalid header",
                new org.apache.hc.core5.http.ParseException("Invalid header; error at offset 15"))).failureClass())
                .isEqualTo(PERMANENT);
        assertThat(classifier.classify(new org.apache.hc.client5.http.ClientProtocolException("Unsupported version",
                new org.apache.hc.core5.http.UnsupportedHttpVersionException("Unsupported version: HTTP/9.9")))
                .failureClass()).isEqualTo(PERMANENT);
        assertThat(classifier.classify(new org.apache.hc.client5.http.CircularRedirectException("loop")).failureClass())
                .isEqualTo(PERMANENT);
        assertThat(classifier.classify(new org.apache.hc.client5.http.UnsupportedSchemeException("gopher")).failureClass())
                .isEqualTo(PERMANENT);
        // no status line at all (random data, then close), a chunk cut short, a read timeout: the connection broke
        assertThat(classifier.classify(new org.apache.hc.core5.http.NoHttpResponseException("failed to respond"))
                .failureClass()).isEqualTo(TRANSIENT);
        assertThat(classifier.classify(new org.apache.hc.core5.http.MalformedChunkCodingException("Bad chunk header"))
                .failureClass()).isEqualTo(TRANSIENT);
        assertThat(classifier.classify(new org.apache.hc.core5.http.TruncatedChunkException("Truncated chunk"))
                .failureClass()).isEqualTo(TRANSIENT);
        assertThat(classifier.classify(new org.apache.hc.client5.http.ClientProtocolException("other client trouble"))
                .failureClass()).isEqualTo(TRANSIENT);
    }

    @ParameterizedTest
    @CsvSource({"08001,TRANSIENT", "08006,TRANSIENT", "40001,TRANSIENT", "40P01,TRANSIENT", "57P01,TRANSIENT",
            "57P02,TRANSIENT", "57P03,TRANSIENT", "55P03,TRANSIENT", "53300,TRANSIENT", "23505,PERMANENT",
            "23503,PERMANENT", "22P02,PERMANENT", "22001,PERMANENT", "42P01,PERMANENT", "42601,PERMANENT",
            "28P01,PERMANENT", "HYT00,TRANSIENT"})
    void sqlStateDefaults(String state, FailureClass expected) {
        assertThat(classifier.classify(new SQLException("db", state)).failureClass()).isEqualTo(expected);
    }

    @Test
    void mariaDbVendorCodesForDeadlockAndLockWait() {
        assertThat(classifier.classify(new SQLException("Deadlock found", "40001", 1213)).failureClass()).isEqualTo(TRANSIENT);
        assertThat(classifier.classify(new SQLException("Lock wait timeout exceeded", "HY000", 1205)).failureClass())
                .isEqualTo(TRANSIENT);
        assertThat(classifier.classify(new SQLException("Duplicate entry", "23000", 1062)).failureClass()).isEqualTo(PERMANENT);
    }

    @Test
    void sqlStateIsFoundInTheNextExceptionList() {
        SQLException batch = new SQLException("Batch entry 0 was aborted", (String) null);
        batch.setNextException(new SQLException("deadlock detected", "40P01"));
        assertThat(classifier.classify(new RuntimeException(batch)).failureClass()).isEqualTo(TRANSIENT);
    }

    @Test
    void unparseablePayloadsArePermanent() {
        assertThat(classifier.classify(new org.xml.sax.SAXParseException("bad xml", null)).failureClass()).isEqualTo(PERMANENT);
        assertThat(classifier.classify(new java.nio.charset.MalformedInputException(1)).failureClass()).isEqualTo(PERMANENT);
    }

    @Test
    void unknownExceptionsFromTheRoutesOwnCodeArePermanent() {
        Classification c = classifier.classify(new NullPointerException());
        assertThat(c.failureClass()).isEqualTo(PERMANENT);
        assertThat(c.rule()).isEqualTo("default");
        assertThat(classifier.classify(new IllegalArgumentException()).failureClass()).isEqualTo(PERMANENT);
    }

    @Test
    void userRulesWinOverDefaults() {
        ClassificationRules user = ClassificationRules.builder()
                .http(404, TRANSIENT)
                .http(503, PERMANENT)
                .sqlState("23505", TRANSIENT)
                .sqlState("40", PERMANENT)
                .vendorCode(1062, TRANSIENT)
                .exception(IllegalStateException.class, TRANSIENT)
                .exception(IOException.class, PERMANENT)
                .build();
        FailureClassifier c = new FailureClassifier(user, ClassificationRules.builtIn(), TRANSIENT,
                t -> t instanceof FakeHttpException f ? Optional.of(f.failure) : Optional.empty());
        assertThat(c.classify(new FakeHttpException(404, Map.of())).failureClass()).isEqualTo(TRANSIENT);
        assertThat(c.classify(new FakeHttpException(503, Map.of("Retry-After", "3"))).failureClass()).isEqualTo(PERMANENT);
        assertThat(c.classify(new SQLException("dup", "23505")).failureClass()).isEqualTo(TRANSIENT);
        assertThat(c.classify(new SQLException("deadlock", "40P01")).failureClass()).isEqualTo(PERMANENT);
        assertThat(c.classify(new SQLException("Duplicate entry", "23000", 1062)).failureClass()).isEqualTo(TRANSIENT);
        assertThat(c.classify(new IllegalStateException()).failureClass()).isEqualTo(TRANSIENT);
        assertThat(c.classify(new ConnectException()).failureClass()).isEqualTo(PERMANENT);
        // the configured default applies to what no rule matches
        assertThat(c.classify(new NullPointerException()).failureClass()).isEqualTo(TRANSIENT);
    }

    @Test
    void aCyclicCauseChainDoesNotLoop() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertThat(classifier.classify(a).failureClass()).isEqualTo(PERMANENT);
    }
}
