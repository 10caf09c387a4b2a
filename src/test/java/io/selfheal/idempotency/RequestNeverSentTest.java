package io.selfheal.idempotency;

import org.apache.camel.CamelExchangeException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

class RequestNeverSentTest {

    @Test
    void failuresBeforeAnyByteWasSentAreProvablyNotSent() {
        assertThat(RequestNeverSent.test(new ConnectException("Connection refused"))).isTrue();
        assertThat(RequestNeverSent.test(new HttpHostConnectException("Connect to http://127.0.0.1:1 failed"))).isTrue();
        assertThat(RequestNeverSent.test(new UnknownHostException("nowhere.invalid"))).isTrue();
        assertThat(RequestNeverSent.test(new NoRouteToHostException("No route to host"))).isTrue();
        assertThat(RequestNeverSent.test(new ConnectTimeoutException("Connect timed out"))).isTrue();
        assertThat(RequestNeverSent.test(new ConnectionRequestTimeoutException("Timeout waiting for connection from pool")))
                .isTrue();
        assertThat(RequestNeverSent.test(new SQLException("could not connect", "08001"))).isTrue();
    }

    @Test
    void theCauseChainIsRead() {
        Exception wrapped = new CamelExchangeException("failed", null, new IOException("io", new ConnectException("refused")));
        assertThat(RequestNeverSent.test(wrapped)).isTrue();
    }

    @Test
    void failuresAfterTheRequestMayHaveBeenSentAreNot() {
        assertThat(RequestNeverSent.test(new SocketTimeoutException("Read timed out"))).isFalse();
        assertThat(RequestNeverSent.test(new SocketException("Connection reset"))).isFalse();
        assertThat(RequestNeverSent.test(new NoHttpResponseException("127.0.0.1:8080 failed to respond"))).isFalse();
        assertThat(RequestNeverSent.test(new IOException("Broken pipe"))).isFalse();
        // a connection lost during a statement: it may have run
        assertThat(RequestNeverSent.test(new SQLTransientConnectionException("connection lost", "08006"))).isFalse();
        assertThat(RequestNeverSent.test(new IllegalStateException("bug"))).isFalse();
        assertThat(RequestNeverSent.test(null)).isFalse();
    }

    @Test
    void aCyclicCauseChainEnds() {
        Exception a = new IllegalStateException("a");
        Exception b = new IllegalStateException("b", a);
        a.initCause(b);
        assertThat(RequestNeverSent.test(a)).isFalse();
    }
}
