package io.selfheal.escalation;

import io.selfheal.classify.FailureClass;
import io.selfheal.retry.GiveUpReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AlertGrouperTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final Duration WINDOW = Duration.ofMinutes(5);

    static GiveUp giveUp(String upstream, GiveUpReason reason, String key) {
        return new GiveUp(FailureClass.TRANSIENT, reason, 8, Duration.ofSeconds(252), T0, T0.plusSeconds(252), upstream,
                "orders", "ex-" + key, "http://inventory/items", key, List.of("HTTP 500"), "HTTP 500 from inventory");
    }

    @Test
    void fiftyGiveUpsInOneWindowAreTheFirstAlertAndOneGroupedAlertOfFifty() {
        AlertGrouper g = new AlertGrouper(WINDOW);
        List<Alert> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sent.addAll(g.add(giveUp("inventory", GiveUpReason.ATTEMPTS, "k" + i), (long) i, T0.plusSeconds(i)));
            sent.addAll(g.due(T0.plusSeconds(i)));
        }
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).count()).isEqualTo(1);
        assertThat(sent.get(0).grouped()).isFalse();

        assertThat(g.due(T0.plus(WINDOW).minusMillis(1))).isEmpty();
        List<Alert> grouped = g.due(T0.plus(WINDOW));
        assertThat(grouped).hasSize(1);
        assertThat(grouped.get(0).count()).isEqualTo(50);
        assertThat(grouped.get(0).grouped()).isTrue();
        assertThat(grouped.get(0).latest().idempotencyKey()).isEqualTo("k49");
        assertThat(grouped.get(0).parkedId()).isEqualTo(49L);
        assertThat(grouped.get(0).text()).startsWith("[selfheal] 50 give-ups for inventory (TRANSIENT, ATTEMPTS)");
    }

    @Test
    void aStormKeepsOneGroupedAlertPerWindowAndAQuietWindowClosesTheGroup() {
        AlertGrouper g = new AlertGrouper(WINDOW);
        assertThat(g.add(giveUp("inventory", GiveUpReason.ATTEMPTS, "a"), 1L, T0)).hasSize(1);
        g.add(giveUp("inventory", GiveUpReason.ATTEMPTS, "b"), 2L, T0.plusSeconds(10));
        assertThat(g.due(T0.plus(WINDOW))).extracting(Alert::count).containsExactly(2);
        // the next window: give-ups are counted, not alerted at once
        assertThat(g.add(giveUp("inventory", GiveUpReason.ATTEMPTS, "c"), 3L, T0.plus(WINDOW).plusSeconds(1))).isEmpty();
        assertThat(g.due(T0.plus(WINDOW.multipliedBy(2)))).extracting(Alert::count).containsExactly(1);
        // a window with none closes the group; the next give-up alerts at once
        assertThat(g.due(T0.plus(WINDOW.multipliedBy(3)))).isEmpty();
        List<Alert> again = g.add(giveUp("inventory", GiveUpReason.ATTEMPTS, "d"), 4L, T0.plus(WINDOW.multipliedBy(3)).plusSeconds(1));
        assertThat(again).hasSize(1);
        assertThat(again.get(0).grouped()).isFalse();
    }

    @Test
    void differentUpstreamsOrReasonsAreSeparateGroupsAndZeroWindowAlertsEach() {
        AlertGrouper g = new AlertGrouper(WINDOW);
        assertThat(g.add(giveUp("inventory", GiveUpReason.ATTEMPTS, "a"), 1L, T0)).hasSize(1);
        assertThat(g.add(giveUp("billing", GiveUpReason.ATTEMPTS, "b"), 2L, T0)).hasSize(1);
        assertThat(g.add(giveUp("inventory", GiveUpReason.DURATION, "c"), 3L, T0)).hasSize(1);
        assertThat(g.add(giveUp("inventory", GiveUpReason.ATTEMPTS, "d"), 4L, T0)).isEmpty();

        AlertGrouper none = new AlertGrouper(Duration.ZERO);
        for (int i = 0; i < 3; i++) {
            assertThat(none.add(giveUp("inventory", GiveUpReason.ATTEMPTS, "k" + i), null, T0)).hasSize(1);
        }
        assertThat(none.add(giveUp("inventory", GiveUpReason.ATTEMPTS, "x"), null, T0).get(0).text()).endsWith("(NOT parked)");
    }

    @Test
    void shutdownSendsWhatIsPending() {
        AlertGrouper g = new AlertGrouper(WINDOW);
        g.add(giveUp("inventory", GiveUpReason.ATTEMPTS, "a"), 1L, T0);
        g.add(giveUp("inventory", GiveUpReason.ATTEMPTS, "b"), 2L, T0.plusSeconds(1));
        g.add(giveUp("billing", GiveUpReason.ATTEMPTS, "c"), 3L, T0.plusSeconds(2));
        List<Alert> pending = g.drain(T0.plusSeconds(3));
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).count()).isEqualTo(2);
        assertThat(pending.get(0).key().upstream()).isEqualTo("inventory");
    }

    @Test
    void summarySaysHowAttemptsDiffered() {
        GiveUp mixed = new GiveUp(FailureClass.TRANSIENT, GiveUpReason.DURATION, 5, Duration.ofSeconds(31), T0,
                T0.plusSeconds(31), "inventory", "orders", "ex", null, null,
                List.of("HTTP 503", "HTTP 503", "HTTP 503", "ConnectException", "ConnectException"), "x");
        assertThat(mixed.summary()).isEqualTo("tried 5 times over 31s, attempts differed: 3 × HTTP 503, 2 × "
                + "ConnectException (last: ConnectException) from inventory; gave up: the next attempt would end past "
                + "max duration [TRANSIENT, DURATION]");
    }
}
