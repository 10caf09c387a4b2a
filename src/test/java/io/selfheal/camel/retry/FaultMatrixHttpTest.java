package io.selfheal.camel.retry;

import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.testing.MatrixReport;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.selfheal.classify.Classification;
import io.selfheal.escalation.GiveUp;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The fault matrix, HTTP and network rows: a real server (WireMock) answers each row's failure, and each row asserts
 * the failure class, the number of requests the server received, and the outcome (delivered, or the give-up reason).
 * Transient rows fail twice and then answer 200, so they show retries that heal; rows whose failure cannot heal here
 * (nothing listens, the host does not exist) show max-attempts reached. Max attempts is 3 throughout.
 */
class FaultMatrixHttpTest {
    private static final int MAX_ATTEMPTS = 3;
    private static final int READ_TIMEOUT_MS = 500;
    private static final String PATH = "/row";

    // registered in this order, so the context stops before its upstream does
    @RegisterExtension
    @Order(1)
    static final WireMockExtension wm = TestContexts.localWireMock();
    @RegisterExtension
    @Order(2)
    static final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private static CamelContext ctx;
    private static int closedPort;
    /** Calls the routes made to each endpoint, counted by Camel's event notifier: the network rows have no server to ask. */
    private static final Map<String, AtomicInteger> sends = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ctx = contexts.create(TestContexts.scaled("selfheal.defaults.max-attempts", String.valueOf(MAX_ATTEMPTS)));
        ctx.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeSendingEvent e && e.getEndpoint().getEndpointUri().startsWith("http")) {
                    sends.computeIfAbsent(e.getExchange().getFromRouteId(), k -> new AtomicInteger()).incrementAndGet();
                }
            }
        });
        String options = "?httpMethod=GET&connectTimeout=1000&responseTimeout=" + READ_TIMEOUT_MS;
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:wiremock").routeId("wiremock").routeConfigurationId("self-healing")
                        .to("http://127.0.0.1:" + wm.getPort() + PATH + options);
                from("direct:refused").routeId("refused").routeConfigurationId("self-healing")
                        .to("http://127.0.0.1:" + closedPort + PATH + options);
                from("direct:unresolvable").routeId("unresolvable").routeConfigurationId("self-healing")
                        .to("http://selfheal-matrix.invalid" + PATH + options);
                // its own upstream name: a Retry-After hold from another row must not hold this one back
                from("direct:userinfo").routeId("userinfo").routeConfigurationId("self-healing")
                        .setProperty(SelfhealProperties.UPSTREAM, constant("userinfo-host"))
                        .to("http://matrix:secret@127.0.0.1:" + wm.getPort() + PATH + options);
                from("direct:raw").routeId("raw").routeConfigurationId("self-healing")
                        .toD("http://127.0.0.1:${header.rawPort}/raw" + options);
            }
        });
        ctx.start();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
        sends.clear();
    }

    static Stream<Arguments> transientStatuses() {
        return Stream.of(500, 502, 503, 504, 408, 409).map(s -> arguments(s));
    }

    @ParameterizedTest(name = "HTTP {0}: two failures, then 200")
    @MethodSource("transientStatuses")
    void transientStatusIsRetriedUntilItHeals(int status) {
        failThenSucceed(2, aResponse().withStatus(status).withBody("status " + status));
        Exchange out = call("direct:wiremock");
        assertDelivered(out, "TRANSIENT", 3);
        assertThat(requests()).isEqualTo(3);
        MatrixReport.row("HTTP " + status, out, requests());
    }

    static Stream<Arguments> permanentStatuses() {
        return Stream.of(501, 505, 400, 401, 403, 404, 422).map(s -> arguments(s));
    }

    @ParameterizedTest(name = "HTTP {0}: one call, PERMANENT")
    @MethodSource("permanentStatuses")
    void permanentStatusIsCalledOnce(int status) {
        wm.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(status).withBody("status " + status)));
        Exchange out = call("direct:wiremock");
        assertGaveUp(out, "PERMANENT", 1, "PERMANENT");
        assertThat(requests()).isEqualTo(1);
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class).outcomes()).containsExactly("HTTP " + status);
        MatrixReport.row("HTTP " + status, out, requests());
    }

    @Test
    void alwaysFailingTransientStatusStopsAtMaxAttempts() {
        wm.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(503)));
        Exchange out = call("direct:wiremock");
        assertGaveUp(out, "TRANSIENT", MAX_ATTEMPTS, "ATTEMPTS");
        assertThat(requests()).isEqualTo(MAX_ATTEMPTS);
        MatrixReport.row("HTTP 503, always", out, requests());
    }

    @Test
    void tooManyRequestsWithRetryAfterSecondsWaitsTheStatedTime() {
        failThenSucceed(1, aResponse().withStatus(429).withHeader("Retry-After", "1"));
        Exchange out = call("direct:wiremock");
        assertDelivered(out, "RECOVERABLE", 2);
        assertThat(gapBetweenFirstTwoRequests()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(retrySource(out)).isEqualTo("HTTP 429 with Retry-After");
        MatrixReport.row("HTTP 429, Retry-After: 1", out, requests());
    }

    @Test
    void tooManyRequestsWithRetryAfterHttpDateWaitsUntilTheStatedInstant() {
        Instant stated = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
        String httpDate = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(stated, ZoneOffset.UTC));
        failThenSucceed(1, aResponse().withStatus(429).withHeader("Retry-After", httpDate));
        Exchange out = call("direct:wiremock");
        assertDelivered(out, "RECOVERABLE", 2);
        assertThat(loggedRequests().get(1).getLoggedDate().toInstant()).isAfterOrEqualTo(stated);
        MatrixReport.row("HTTP 429, Retry-After: HTTP-date", out, requests());
    }

    @Test
    void serviceUnavailableWithRetryAfterIsRecoverableAndWaits() {
        failThenSucceed(1, aResponse().withStatus(503).withHeader("Retry-After", "1"));
        Exchange out = call("direct:wiremock");
        assertDelivered(out, "RECOVERABLE", 2);
        assertThat(gapBetweenFirstTwoRequests()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        MatrixReport.row("HTTP 503, Retry-After: 1", out, requests());
    }

    @Test
    void serviceUnavailableWithRetryAfterBeyondTheCapGivesUpAtOnce() {
        wm.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "86400")));
        Exchange out = call("direct:wiremock");
        assertGaveUp(out, "RECOVERABLE", 1, "RETRY_AFTER_BEYOND_CAP");
        assertThat(requests()).isEqualTo(1);
        MatrixReport.row("HTTP 503, Retry-After: 86400", out, requests());
    }

    static Stream<Arguments> faults() {
        return Stream.of(Fault.CONNECTION_RESET_BY_PEER, Fault.EMPTY_RESPONSE, Fault.MALFORMED_RESPONSE_CHUNK,
                Fault.RANDOM_DATA_THEN_CLOSE).map(f -> arguments(f));
    }

    @ParameterizedTest(name = "fault {0}: two faults, then 200")
    @MethodSource("faults")
    void brokenConnectionsAreTransientAndHeal(Fault fault) {
        failThenSucceed(2, aResponse().withFault(fault));
        Exchange out = call("direct:wiremock");
        assertDelivered(out, "TRANSIENT", 3);
        assertThat(requests()).isEqualTo(3);
        MatrixReport.row("fault " + fault, out, requests());
    }

    @Test
    void aResponseSlowerThanTheReadTimeoutIsTransient() {
        failThenSucceed(2, aResponse().withStatus(200).withBody("too late").withFixedDelay(READ_TIMEOUT_MS * 3));
        Exchange out = call("direct:wiremock");
        assertDelivered(out, "TRANSIENT", 3);
        assertThat(requests()).isEqualTo(3);
        MatrixReport.row("delay " + READ_TIMEOUT_MS * 3 + "ms > read timeout " + READ_TIMEOUT_MS + "ms", out, requests());
    }

    @Test
    void aClosedPortIsTransientAndStopsAtMaxAttempts() {
        Exchange out = call("direct:refused");
        assertGaveUp(out, "TRANSIENT", MAX_ATTEMPTS, "ATTEMPTS");
        assertThat(sends.get("refused")).hasValue(MAX_ATTEMPTS);
        MatrixReport.row("connect refused (closed port)", out, sends.get("refused").get());
    }

    @Test
    void anUnresolvableHostIsTransientAndStopsAtMaxAttempts() {
        Exchange out = call("direct:unresolvable");
        assertGaveUp(out, "TRANSIENT", MAX_ATTEMPTS, "ATTEMPTS");
        assertThat(sends.get("unresolvable")).hasValue(MAX_ATTEMPTS);
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class).outcomes()).containsOnly("UnknownHostException");
        MatrixReport.row("unknown host (.invalid)", out, sends.get("unresolvable").get());
    }

    /** HttpClient 5 refuses a URI with user-info before it sends anything: a retry would be refused the same way. */
    @Test
    void aUrlWithUserInfoIsPermanentAndNeverReachesTheServer() {
        Exchange out = call("direct:userinfo");
        assertGaveUp(out, "PERMANENT", 1, "PERMANENT");
        assertThat(requests()).isZero();
        assertThat(sends.get("userinfo")).hasValue(1);
        MatrixReport.row("URL with user-info (refused by HttpClient, never sent)", out, requests());
    }

    /** Replies that break HTTP, from a raw socket server: the same reply comes every time, so one call. */
    @ParameterizedTest(name = "raw reply {0}: PERMANENT")
    @MethodSource("protocolViolations")
    void aResponseThatBreaksHttpIsPermanent(String name, String reply) throws Exception {
        try (RawServer raw = new RawServer(reply)) {
            String upstream = "raw-" + rows.incrementAndGet();
            Exchange out = ctx.createProducerTemplate().request("direct:raw", e -> {
                e.getIn().setHeader("rawPort", raw.port());
                e.setProperty(SelfhealProperties.UPSTREAM, upstream);
            });
            assertGaveUp(out, "PERMANENT", 1, "PERMANENT");
            assertThat(raw.connections()).isEqualTo(1);
            MatrixReport.row("raw reply: " + name, out, raw.connections());
        }
    }

    static Stream<Arguments> protocolViolations() {
        return Stream.of(
                arguments("invalid header line", "HTTP/1.1 200 OK\r\nthis is no header\r\nContent-Length: 0\r\n\r\n"),
                arguments("unsupported version HTTP/9.9", "HTTP/9.9 200 OK\r\nContent-Length: 0\r\n\r\n"),
                arguments("invalid Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\nxx"));
    }

    /** No status line at all, then close: like RANDOM_DATA_THEN_CLOSE, a broken connection, retried to the bound. */
    @Test
    void aReplyWithNoStatusLineIsTransient() throws Exception {
        try (RawServer raw = new RawServer("SSH-2.0-OpenSSH_9.2\r\n")) {
            Exchange out = ctx.createProducerTemplate().request("direct:raw", e -> e.getIn().setHeader("rawPort", raw.port()));
            assertGaveUp(out, "TRANSIENT", MAX_ATTEMPTS, "ATTEMPTS");
            assertThat(raw.connections()).isEqualTo(MAX_ATTEMPTS);
            MatrixReport.row("raw reply: no status line (an SSH banner)", out, raw.connections());
        }
    }

    /** A server that answers every connection with the same bytes and closes it, counting connections. */
    static final class RawServer implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();
        private final Thread acceptor;

        RawServer(String reply) throws java.io.IOException {
            socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (java.net.Socket s = socket.accept()) {
                        connections.incrementAndGet();
                        s.setSoTimeout(2000);
                        readRequestHead(s.getInputStream());
                        s.getOutputStream().write(reply.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                        s.getOutputStream().flush();
                    } catch (java.io.IOException e) {
                        // closed, or the client went away: next connection
                    }
                }
            }, "raw-http-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private static void readRequestHead(java.io.InputStream in) throws java.io.IOException {
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            for (int b = in.read(); b >= 0; b = in.read()) {
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == end.length) {
                    return;
                }
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(2000);
        }
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private static final AtomicInteger rows = new AtomicInteger();

    /**
     * Each row calls under an upstream name of its own: a Retry-After (rightly) holds back every caller of an
     * upstream, and one row's hold must not delay the next row.
     */
    private static Exchange call(String endpoint) {
        String upstream = "matrix-row-" + rows.incrementAndGet();
        return ctx.createProducerTemplate().request(endpoint, e -> {
            e.getIn().setBody(null);
            e.setProperty(SelfhealProperties.UPSTREAM, upstream);
        });
    }

    /** {@code failures} answers of {@code failure}, then 200 "ok" for good. */
    private static void failThenSucceed(int failures, ResponseDefinitionBuilder failure) {
        String state = STARTED;
        for (int i = 1; i <= failures; i++) {
            String next = "after-" + i;
            wm.stubFor(get(urlEqualTo(PATH)).inScenario("row").whenScenarioStateIs(state).willReturn(failure)
                    .willSetStateTo(next));
            state = next;
        }
        wm.stubFor(get(urlEqualTo(PATH)).inScenario("row").whenScenarioStateIs(state)
                .willReturn(aResponse().withStatus(200).withBody("ok")));
    }

    private static List<LoggedRequest> loggedRequests() {
        return wm.findAll(getRequestedFor(urlEqualTo(PATH)));
    }

    private static int requests() {
        return loggedRequests().size();
    }

    private static Duration gapBetweenFirstTwoRequests() {
        List<LoggedRequest> r = loggedRequests();
        assertThat(r).hasSizeGreaterThanOrEqualTo(2);
        return Duration.between(r.get(0).getLoggedDate().toInstant(), r.get(1).getLoggedDate().toInstant());
    }

    private static String retrySource(Exchange out) {
        return ExchangeState.classification(out).rule();
    }

    private static void assertDelivered(Exchange out, String failureClass, int attempts) {
        assertThat(out.getException()).isNull();
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("ok");
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo(failureClass);
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(attempts);
    }

    private static void assertGaveUp(Exchange out, String failureClass, int attempts, String reason) {
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo(reason);
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo(failureClass);
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(attempts);
        GiveUp g = out.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class);
        assertThat(g).isNotNull();
        assertThat(g.attempts()).isEqualTo(attempts);
        assertThat(g.reason().name()).isEqualTo(reason);
    }
}
