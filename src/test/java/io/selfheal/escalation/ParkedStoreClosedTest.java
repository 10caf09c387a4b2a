package io.selfheal.escalation;

import io.selfheal.classify.FailureClass;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.retry.GiveUpReason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A closed store refuses: a message that gives up after its context stopped fails its exchange and stays with its
 * source, rather than being parked through a pool nobody closes again.
 */
class ParkedStoreClosedTest {
    @Test
    void aClosedStoreRefusesEveryCall() {
        String url = "jdbc:h2:mem:parked-closed-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        ParkedStore store = new ParkedStore(SelfhealConfig.load(Map.of("selfheal.parked.url", url)).parked(),
                Clock.systemUTC());
        long id = store.park(request());
        assertThat(store.find(id)).isPresent();
        store.close();

        assertThatThrownBy(() -> store.park(request())).isInstanceOf(ParkingException.class)
                .hasMessageContaining("could not park the message").hasMessageEndingWith("the parked store is closed")
                .hasCauseInstanceOf(SQLException.class);
        assertThatThrownBy(() -> store.find(id)).isInstanceOf(ParkingException.class)
                .hasMessageEndingWith("the parked store is closed");
        assertThatThrownBy(() -> store.discard(id, "ops", "test")).isInstanceOf(ParkingException.class)
                .hasMessageEndingWith("the parked store is closed");
    }

    private static ParkRequest request() {
        GiveUp g = new GiveUp(FailureClass.PERMANENT, GiveUpReason.PERMANENT, 1, Duration.ZERO, null, null, "ledger",
                "inbox", "ex-" + UUID.randomUUID(), "http://ledger/book", null, List.of("HTTP 400"), "refused");
        return new ParkRequest("order".getBytes(StandardCharsets.UTF_8), "{}", "inbox", "http://ledger/book",
                "file://inbox", g, null);
    }
}
