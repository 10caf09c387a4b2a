package io.selfheal.camel.escalation;

import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.LogCapture;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStatus;
import io.selfheal.escalation.ParkedStore;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * While the parked store refuses writes, a file whose message gave up stays in the inbox and the file consumer picks
 * it up on every poll. Its work is over: the upstream gets no further call for it, the store is tried again with a
 * bounded backoff (not on every poll), and once the store answers again the message is parked once and leaves the
 * inbox.
 */
class ParkedStoreOutageTest {
    private static final int MAX_ATTEMPTS = 3;

    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    @Test
    void aGivenUpFileWaitsForTheStoreWithoutCallingItsUpstreamAgainAndIsParkedOnce(@TempDir Path dir) throws Exception {
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(503)));
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        String url = "jdbc:h2:mem:outage-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        String table = EscalationTests.uniqueTable();
        Map<String, String> props = TestContexts.scaled(Map.of("selfheal.parked.url", url,
                        "selfheal.parked.table", table),
                "selfheal.defaults.max-attempts", String.valueOf(MAX_ATTEMPTS),
                "selfheal.parked.store-retry.initial-delay", "200ms", "selfheal.parked.store-retry.max-delay", "400ms");
        ctx = contexts.start(props, new RouteBuilder() {
            @Override
            public void configure() {
                from("file:" + inbox + "?initialDelay=0&delay=20").routeId("orders-in")
                        .routeConfigurationId("self-healing")
                        .convertBodyTo(String.class)
                        .to("http://127.0.0.1:" + upstream.getPort() + "/orders?httpMethod=POST");
            }
        });
        ParkedStore store = EscalationServices.of(ctx).store();
        AwaitingParking awaiting = EscalationServices.of(ctx).awaitingParking();

        try (LogCapture log = LogCapture.install()) {
            sql(url, "ALTER TABLE " + table + " RENAME TO " + table + "_down");
            Files.writeString(inbox.resolve("order-1.txt"), "order 1");

            // the message runs its retries once, gives up, and the store refuses it
            await().atMost(Duration.ofSeconds(20)).until(() -> log.all().contains("NOT parked, the exchange fails"));
            long gaveUpAt = System.nanoTime();
            assertThat(upstream.getAllServeEvents()).hasSize(MAX_ATTEMPTS);
            // the file is picked up again and again (every 20 ms) and the upstream is not called again
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                    .until(() -> upstream.getAllServeEvents().size() == MAX_ATTEMPTS);
            assertThat(Files.exists(inbox.resolve("order-1.txt"))).as("its source keeps it").isTrue();
            assertThat(awaiting.size()).isEqualTo(1);
            long storeAttempts = log.rendered().stream().filter(l -> l.contains("still NOT parked")).count();
            // each delivery that failed again is one rollback of the file consumer
            long polls = log.rendered().stream().filter(l -> l.contains("Rollback file strategy")).count();
            // 200 ms, then 400 ms, between attempts, however often the file came back
            long elapsedMillis = (System.nanoTime() - gaveUpAt) / 1_000_000 + 50;
            assertThat(storeAttempts).as("the store is tried again with a backoff, not on each of %d deliveries", polls)
                    .isLessThanOrEqualTo(1 + elapsedMillis / 400 + 1);
            assertThat(awaiting.delay(1)).isEqualTo(Duration.ofMillis(200));
            assertThat(awaiting.delay(2)).isEqualTo(Duration.ofMillis(400));
            assertThat(awaiting.delay(30)).as("bounded").isEqualTo(Duration.ofMillis(400));

            sql(url, "ALTER TABLE " + table + "_down RENAME TO " + table);
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(inbox.resolve("order-1.txt")));
        }
        List<ParkedMessage> parked = store.list(null, null, 10);
        assertThat(parked).as("parked once").hasSize(1);
        assertThat(parked.get(0).status()).isEqualTo(ParkedStatus.PARKED);
        assertThat(parked.get(0).giveUpReason()).isEqualTo("ATTEMPTS");
        assertThat(parked.get(0).attempts()).isEqualTo(MAX_ATTEMPTS);
        assertThat(awaiting.size()).isZero();
        assertThat(upstream.getAllServeEvents()).as("never called again").hasSize(MAX_ATTEMPTS);
        try (Stream<Path> done = Files.list(inbox.resolve(".camel"))) {
            assertThat(done.toList()).as("acknowledged once parked").hasSize(1);
        }
    }

    private static void sql(String url, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
