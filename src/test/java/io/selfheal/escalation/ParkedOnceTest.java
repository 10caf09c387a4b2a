package io.selfheal.escalation;

import io.selfheal.it.CrashRestartIT;

import io.selfheal.classify.FailureClass;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.retry.GiveUpReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message its source delivers again after a crash between parking it and forgetting it (CrashRestartIT killed two
 * such moments in one run) is not parked twice: the same route, idempotency key and body find the record still
 * waiting. Anything else is a new record: another body under the same key, a message without a key, one whose earlier
 * record was discarded or replayed, and a replay that failed again (linked to its earlier record).
 */
class ParkedOnceTest {

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:h2:mem:parked-once", "jdbc:postgresql://127.0.0.1:5432/test"})
    void aCopyOfAMessageStillParkedIsNotParkedTwice(String base) throws Exception {
        String table = "esc_once_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        boolean pg = base.startsWith("jdbc:postgresql");
        String url = pg ? base : base + "-" + table + ";DB_CLOSE_DELAY=-1";
        Map<String, String> props = pg
                ? Map.of("selfheal.parked.url", url, "selfheal.parked.username", "postgres", "selfheal.parked.table", table)
                : Map.of("selfheal.parked.url", url, "selfheal.parked.table", table);
        try (ParkedStore store = new ParkedStore(SelfhealConfig.load(props).parked(), Clock.systemUTC())) {
            long first = store.park(request("inbox", "key-1", "order 1", null));
            assertThat(store.park(request("inbox", "key-1", "order 1", null))).isEqualTo(first);
            assertThat(store.list(null, null, 100)).hasSize(1);

            // the same key with another body, on another route, or without a key: new records
            long otherBody = store.park(request("inbox", "key-1", "order 1, amended", null));
            long otherRoute = store.park(request("outbox", "key-1", "order 1", null));
            long noKey = store.park(request("inbox", null, "order 1", null));
            long noKeyAgain = store.park(request("inbox", null, "order 1", null));
            assertThat(List.of(otherBody, otherRoute, noKey, noKeyAgain)).doesNotHaveDuplicates().doesNotContain(first);

            // once its record no longer waits (discarded, or replayed), the message parks anew
            assertThat(store.discard(first, "ops", "test")).isTrue();
            long afterDiscard = store.park(request("inbox", "key-1", "order 1", null));
            assertThat(afterDiscard).isNotEqualTo(first);

            // a replay that failed again is always a new, linked record
            assertThat(store.claimForReplay(afterDiscard)).isTrue();
            long reparked = store.park(request("inbox", "key-1", "order 1", afterDiscard));
            assertThat(reparked).isNotEqualTo(afterDiscard);
            assertThat(store.find(afterDiscard).orElseThrow().status()).isEqualTo(ParkedStatus.REPARKED);
            assertThat(store.find(afterDiscard).orElseThrow().reparkedAs()).isEqualTo(reparked);
        } finally {
            if (pg) {
                try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + table);
                    s.execute("DROP TABLE IF EXISTS " + table + "_pollers");
                }
            }
        }
    }

    private static ParkRequest request(String route, String key, String body, Long replayedFrom) {
        GiveUp g = new GiveUp(FailureClass.PERMANENT, GiveUpReason.PERMANENT, 1, Duration.ZERO, null, null, "ledger",
                route, "ex-" + UUID.randomUUID(), "http://ledger/book", key, List.of("HTTP 400"), "refused");
        return new ParkRequest(body.getBytes(StandardCharsets.UTF_8), "{}", route, "http://ledger/book",
                "file://" + route, g, replayedFrom);
    }
}
