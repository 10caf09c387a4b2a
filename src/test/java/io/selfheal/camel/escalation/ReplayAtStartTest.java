package io.selfheal.camel.escalation;

import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import io.selfheal.classify.FailureClass;
import io.selfheal.escalation.GiveUp;
import io.selfheal.escalation.ParkRequest;
import io.selfheal.escalation.ParkedStatus;
import io.selfheal.escalation.ParkedStore;
import io.selfheal.escalation.ReplayPoll;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.settings.SelfhealConfig;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replay asked for from the command line while no job ran waits in the store as REPLAY_REQUESTED; the next job
 * started against the store replays it as it starts (its first poll comes once the context has fully started, when the
 * route runs), not one poll interval later. The job's polls are recorded in the store, and its stop too.
 */
class ReplayAtStartTest {
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();

    @Test
    void aRequestThatWaitedInTheStoreIsReplayedWhenTheNextJobStarts() throws Exception {
        Map<String, String> storeKeys = Map.of("selfheal.parked.url",
                "jdbc:h2:mem:start-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "selfheal.parked.table", EscalationTests.uniqueTable());
        try (ParkedStore store = new ParkedStore(SelfhealConfig.load(storeKeys).parked(), Clock.systemUTC())) {
            GiveUp g = new GiveUp(FailureClass.TRANSIENT, GiveUpReason.ATTEMPTS, 3, Duration.ofMillis(50), null, null,
                    "ledger", "orders", "ex-1", "http://ledger/book", "key-1", List.of("HTTP 503"), "tried 3 times");
            long id = store.park(new ParkRequest("order-1".getBytes(StandardCharsets.UTF_8), "{}", "orders",
                    "http://ledger/book", "direct://orders", g, null));
            assertThat(store.requestReplay(id, "ops", null, null, null)).isTrue();

            // an hour between polls: only the poll at start can replay it within this test
            List<String> delivered = new CopyOnWriteArrayList<>();
            CamelContext job = contexts.start(TestContexts.scaled(storeKeys,
                    "selfheal.parked.replay-poll-interval", "1h"), new RouteBuilder() {
                        @Override
                        public void configure() {
                            from("direct:orders").routeId("orders").routeConfigurationId("self-healing")
                                    .process(e -> delivered.add(e.getIn().getBody(String.class)));
                        }
                    });

            await().atMost(Duration.ofSeconds(20)).until(() -> store.find(id).orElseThrow().status()
                    == ParkedStatus.REPLAYED);
            assertThat(delivered).containsExactly("order-1");
            ReplayPoll poll = store.replayPollers().live(Instant.now()).orElseThrow();
            assertThat(poll.interval()).isEqualTo(Duration.ofHours(1));
            assertThat(poll.instance()).endsWith(":" + ProcessHandle.current().pid() + "/" + job.getName());

            job.stop();
            assertThat(store.replayPollers().live(Instant.now())).isEmpty();
            assertThat(store.replayPollers().last().orElseThrow().stoppedAt()).isNotNull();
        }
    }

    @Test
    void aPollersTableThatCannotBeWrittenStopsNoReplay() throws Exception {
        Map<String, String> storeKeys = Map.of("selfheal.parked.url",
                "jdbc:h2:mem:start-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "selfheal.parked.table", EscalationTests.uniqueTable());
        try (ParkedStore store = new ParkedStore(SelfhealConfig.load(storeKeys).parked(), Clock.systemUTC())) {
            try (Connection c = DriverManager.getConnection(storeKeys.get("selfheal.parked.url"), "sa", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP TABLE " + storeKeys.get("selfheal.parked.table") + "_pollers");
                s.execute("CREATE TABLE " + storeKeys.get("selfheal.parked.table") + "_pollers (x INT)");
            }
            GiveUp g = new GiveUp(FailureClass.TRANSIENT, GiveUpReason.ATTEMPTS, 3, Duration.ofMillis(50), null, null,
                    "ledger", "orders", "ex-3", "http://ledger/book", "key-3", List.of("HTTP 503"), "tried 3 times");
            long id = store.park(new ParkRequest("order-3".getBytes(StandardCharsets.UTF_8), "{}", "orders",
                    "http://ledger/book", "direct://orders", g, null));
            assertThat(store.requestReplay(id, "ops", null, null, null)).isTrue();
            List<String> delivered = new CopyOnWriteArrayList<>();
            contexts.start(TestContexts.scaled(storeKeys, "selfheal.parked.replay-poll-interval", "1h"),
                    new RouteBuilder() {
                        @Override
                        public void configure() {
                            from("direct:orders").routeId("orders").routeConfigurationId("self-healing")
                                    .process(e -> delivered.add(e.getIn().getBody(String.class)));
                        }
                    });
            await().atMost(Duration.ofSeconds(20)).until(() -> store.find(id).orElseThrow().status()
                    == ParkedStatus.REPLAYED);
            assertThat(delivered).containsExactly("order-3");
        }
    }

    @Test
    void withPollingOffNothingIsPickedUpNorRecorded() throws Exception {
        Map<String, String> storeKeys = Map.of("selfheal.parked.url",
                "jdbc:h2:mem:start-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "selfheal.parked.table", EscalationTests.uniqueTable());
        try (ParkedStore store = new ParkedStore(SelfhealConfig.load(storeKeys).parked(), Clock.systemUTC())) {
            GiveUp g = new GiveUp(FailureClass.TRANSIENT, GiveUpReason.ATTEMPTS, 3, Duration.ofMillis(50), null, null,
                    "ledger", "orders", "ex-2", "http://ledger/book", "key-2", List.of("HTTP 503"), "tried 3 times");
            long id = store.park(new ParkRequest("order-2".getBytes(StandardCharsets.UTF_8), "{}", "orders",
                    "http://ledger/book", "direct://orders", g, null));
            assertThat(store.requestReplay(id, "ops", null, null, null)).isTrue();
            List<String> delivered = new CopyOnWriteArrayList<>();
            CamelContext job = contexts.start(TestContexts.scaled(storeKeys,
                    "selfheal.parked.replay-poll-interval", "0s"), new RouteBuilder() {
                        @Override
                        public void configure() {
                            from("direct:orders").routeId("orders").routeConfigurationId("self-healing")
                                    .process(e -> delivered.add(e.getIn().getBody(String.class)));
                        }
                    });
            // the start-up replays run on the context's replay thread: one queued after them has run after them
            ParkedReplayService.of(job).replay(-1, null).get();
            assertThat(store.find(id).orElseThrow().status()).isEqualTo(ParkedStatus.REPLAY_REQUESTED);
            assertThat(delivered).isEmpty();
            assertThat(store.replayPollers().last()).isEmpty();
        }
    }
}
