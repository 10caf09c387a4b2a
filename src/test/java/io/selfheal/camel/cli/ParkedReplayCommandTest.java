package io.selfheal.camel.cli;

import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.MutableClock;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import io.selfheal.classify.FailureClass;
import io.selfheal.escalation.GiveUp;
import io.selfheal.escalation.ParkRequest;
import io.selfheal.escalation.ParkedStatus;
import io.selfheal.escalation.ParkedStore;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.settings.SelfhealConfig;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code parked replay} says who will carry the request out, as the store's pollers table tells it (so it holds for a
 * job on another host against the same database): a running job replays it within its poll interval; with none
 * running (never one, or the last one stopped or silent) the request waits in the store, exit 0, for the next job
 * that starts against it.
 */
class ParkedReplayCommandTest {
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private final Map<String, String> previous = new HashMap<>();
    private Map<String, String> storeKeys;
    private ParkedStore store;

    @BeforeEach
    void pointTheCommandLineAtAStore() {
        storeKeys = Map.of("selfheal.parked.url", "jdbc:h2:mem:cli-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "selfheal.parked.table", EscalationTests.uniqueTable());
        // the command line reads -D system properties last, as the jar does
        storeKeys.forEach((k, v) -> previous.put(k, System.setProperty(k, v)));
        store = open(Clock.systemUTC());
    }

    @AfterEach
    void restore() {
        store.close();
        previous.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }

    private ParkedStore open(Clock clock) {
        return new ParkedStore(SelfhealConfig.load(storeKeys).parked(), clock);
    }

    private long parked(String body) {
        GiveUp g = new GiveUp(FailureClass.TRANSIENT, GiveUpReason.ATTEMPTS, 3, Duration.ofMillis(50), null, null,
                "ledger", "orders", "ex-" + UUID.randomUUID(), "http://ledger/book", "key-" + body, List.of("HTTP 503"),
                "tried 3 times");
        return store.park(new ParkRequest(body.getBytes(StandardCharsets.UTF_8), "{}", "orders", "http://ledger/book",
                "direct://orders", g, null));
    }

    private static SelfhealCommandTest.Run replay(long id) {
        return SelfhealCommandTest.run("parked", "replay", String.valueOf(id));
    }

    @Test
    void withNoJobEverPollingTheStoreTheRequestWaitsThereAndTheCommandSaysSo() {
        long id = parked("order-1");

        SelfhealCommandTest.Run r = replay(id);

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("#" + id + " replay requested")
                .contains("no Selfheal job has ever polled this store: the requests wait here, and the next job "
                        + "started against this store replays them as it starts")
                .doesNotContain("the running Selfheal replays");
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(ParkedStatus.REPLAY_REQUESTED);
    }

    @Test
    void aJobThatStoppedOrFellSilentIsNotCountedAsRunning() {
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        try (ParkedStore then = open(new MutableClock(hourAgo))) {
            then.recordReplayPoll("other-host:4242/camel-1", Duration.ofSeconds(2));
        }
        long silent = parked("order-2");
        SelfhealCommandTest.Run r = replay(silent);
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("no running Selfheal job has polled this store since "
                        + hourAgo.truncatedTo(ChronoUnit.SECONDS) + " (other-host:4242/camel-1)")
                .contains("the next job started against this store replays them as it starts");

        // a poll just now, but the job has stopped since
        store.recordReplayPoll("other-host:4343/camel-1", Duration.ofSeconds(2));
        store.recordReplayPollerStopped("other-host:4343/camel-1");
        long stopped = parked("order-3");
        SelfhealCommandTest.Run s = replay(stopped);
        assertThat(s.code()).isZero();
        assertThat(s.out()).contains("no running Selfheal job has polled this store since")
                .contains("(other-host:4343/camel-1, stopped at ");
    }

    @Test
    void aStoreWhosePollersTableIsUnusableStillTakesTheRequestAndSaysItCannotTell() throws Exception {
        // a table of that name that is not the pollers table: opening the store leaves it, reading it fails
        try (Connection c = DriverManager.getConnection(storeKeys.get("selfheal.parked.url"), "sa", "");
             Statement s = c.createStatement()) {
            s.execute("DROP TABLE " + storeKeys.get("selfheal.parked.table") + "_pollers");
            s.execute("CREATE TABLE " + storeKeys.get("selfheal.parked.table") + "_pollers (x INT)");
        }
        long id = parked("order-5");

        SelfhealCommandTest.Run r = replay(id);

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("#" + id + " replay requested")
                .contains("cannot tell whether a Selfheal job polls this store");
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(ParkedStatus.REPLAY_REQUESTED);
    }

    @Test
    void withAJobRunningAgainstTheStoreItSaysSoAndTheJobReplaysTheRequest() throws Exception {
        List<String> delivered = new CopyOnWriteArrayList<>();
        contexts.start(TestContexts.scaled(storeKeys, "selfheal.parked.replay-poll-interval", "200ms"),
                new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:orders").routeId("orders").routeConfigurationId("self-healing")
                                .process(e -> delivered.add(e.getIn().getBody(String.class)));
                    }
                });
        await().atMost(Duration.ofSeconds(10)).until(() -> store.replayPollers().live(Instant.now()).isPresent());
        long id = parked("order-4");

        SelfhealCommandTest.Run r = replay(id);

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("#" + id + " replay requested")
                .contains("the running Selfheal replays them within 200ms; see: parked list --status REPLAYED")
                .doesNotContain("no running");
        await().atMost(Duration.ofSeconds(10)).until(() -> store.find(id).orElseThrow().status() == ParkedStatus.REPLAYED);
        assertThat(delivered).containsExactly("order-4");
        assertThat(store.replayPollers().live(Instant.now()).orElseThrow().instance())
                .contains(":" + ProcessHandle.current().pid() + "/");
    }
}
