package io.selfheal.camel.escalation;

import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStatus;
import io.selfheal.escalation.ParkedStore;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A context stopped while exchanges wait for a retry (a long backoff here) parks every one of them as SHUTDOWN before
 * it is gone: none is dropped, no waiting exchange calls the upstream again on the way out, a file whose message was
 * parked leaves the inbox, and the next start replays them all with their original Idempotency-Keys.
 */
class ShutdownParkingTest {
    private static final int FROM_SEDA = 25;
    private static final int FROM_FILES = 25;

    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    @Test
    void exchangesWaitingForARetryAreParkedAsShutdownAndReplayedOnTheNextStart(@TempDir Path dir) throws Exception {
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(503)));
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Map<String, String> props = TestContexts.scaled(Map.of(
                        "selfheal.parked.url", "jdbc:h2:mem:shutdown-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                        "selfheal.parked.table", EscalationTests.uniqueTable()),
                // every exchange fails once, then waits far longer than the test runs
                "selfheal.defaults.initial-delay", "10m", "selfheal.defaults.max-delay", "10m",
                "selfheal.defaults.max-duration", "1h", "selfheal.defaults.jitter", "0",
                "selfheal.parked.replay-poll-interval", "0s", "selfheal.parked.auto-replay.rate", "100");
        ctx = start(props, routes(inbox));

        for (int i = 0; i < FROM_SEDA; i++) {
            ctx.createProducerTemplate().sendBody("seda:orders", "seda-" + i);
        }
        for (int i = 0; i < FROM_FILES; i++) {
            Files.writeString(inbox.resolve("order-" + i + ".txt"), "file-" + i);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.getAllServeEvents().size() == FROM_SEDA + FROM_FILES
                && ctx.getInflightRepository().size() == FROM_SEDA + FROM_FILES);
        Map<String, String> firstKeys = keysByBody(upstream.findAll(
                com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo("/orders"))));
        assertThat(firstKeys).hasSize(FROM_SEDA + FROM_FILES);

        ParkedStore store = EscalationServices.of(ctx).store();
        ctx.stop();
        ctx = null;

        // the store is closed with the context: read it through a fresh one on the same database
        List<ParkedMessage> parked;
        try (ParkedStore reader = new ParkedStore(store.config(), Clock.systemUTC())) {
            parked = reader.list(null, null, 1000);
        }
        assertThat(parked).as("every waiting exchange parked, none dropped").hasSize(FROM_SEDA + FROM_FILES);
        assertThat(parked).allSatisfy(m -> {
            assertThat(m.status()).isEqualTo(ParkedStatus.PARKED);
            assertThat(m.giveUpReason()).isEqualTo("SHUTDOWN");
        });
        assertThat(upstream.getAllServeEvents()).as("no waiting exchange called again on the way out")
                .hasSize(FROM_SEDA + FROM_FILES);
        try (Stream<Path> left = Files.list(inbox)) {
            assertThat(left.filter(Files::isRegularFile).toList()).as("a parked file's message leaves the inbox").isEmpty();
        }

        // the upstream is back; the next start replays what the shutdown parked, each with its original key
        upstream.resetRequests();
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(200)));
        ctx = start(props, routes(inbox));
        ParkedStore restarted = EscalationServices.of(ctx).store();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                restarted.countByStatus().getOrDefault(ParkedStatus.REPLAYED, 0L) == FROM_SEDA + FROM_FILES);
        Map<String, String> replayedKeys = keysByBody(upstream.findAll(
                com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo("/orders"))));
        assertThat(upstream.getAllServeEvents()).as("each replayed once").hasSize(FROM_SEDA + FROM_FILES);
        assertThat(replayedKeys).isEqualTo(firstKeys);
    }

    @Test
    void aFileWhoseMessageCouldNotBeParkedAtShutdownStaysInTheInbox(@TempDir Path dir) throws Exception {
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(503)));
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        String url = "jdbc:h2:mem:shutdown-down-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        String table = EscalationTests.uniqueTable();
        Map<String, String> props = TestContexts.scaled(Map.of("selfheal.parked.url", url,
                        "selfheal.parked.table", table),
                "selfheal.defaults.initial-delay", "10m", "selfheal.defaults.max-delay", "10m",
                "selfheal.defaults.max-duration", "1h", "selfheal.parked.replay-poll-interval", "0s");
        ctx = start(props, routes(inbox));
        for (int i = 0; i < 5; i++) {
            Files.writeString(inbox.resolve("order-" + i + ".txt"), "file-" + i);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.getAllServeEvents().size() == 5
                && ctx.getInflightRepository().size() == 5);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
             java.sql.Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + table + " RENAME TO " + table + "_down");
        }
        ctx.stop();
        ctx = null;

        try (Stream<Path> left = Files.list(inbox)) {
            assertThat(left.filter(Files::isRegularFile).count()).as("not parked, so not acknowledged").isEqualTo(5);
        }
        if (Files.exists(inbox.resolve(".camel"))) {
            try (Stream<Path> done = Files.list(inbox.resolve(".camel"))) {
                assertThat(done.toList()).as("nothing moved to .camel").isEmpty();
            }
        }
    }

    private CamelContext start(Map<String, String> props, RoutesBuilder routes) throws Exception {
        CamelContext c = contexts.start(props, routes);
        c.getShutdownStrategy().setTimeout(20);
        return c;
    }

    private RoutesBuilder routes(Path inbox) {
        String url = "http://127.0.0.1:" + upstream.getPort() + "/orders?httpMethod=POST";
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("seda:orders?concurrentConsumers=2").routeId("from-seda").routeConfigurationId("self-healing")
                        .to(url);
                from("file:" + inbox + "?initialDelay=0&delay=50").routeId("from-files")
                        .routeConfigurationId("self-healing")
                        .convertBodyTo(String.class)
                        .to(url);
            }
        };
    }

    private static Map<String, String> keysByBody(List<LoggedRequest> requests) {
        return requests.stream().collect(Collectors.toMap(LoggedRequest::getBodyAsString,
                r -> r.getHeader("Idempotency-Key"), (a, b) -> {
                    throw new AssertionError("one body sent twice: " + a + ", " + b);
                }));
    }
}
