package io.selfheal.escalation;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** When a poller counts as polling: not stopped, and its last poll within three intervals and five seconds. */
class ReplayPollTest {
    private static final Instant T = Instant.parse("2026-12-03T12:00:00Z");

    @Test
    void aPollerIsLiveUntilItHasMissedThreePollsAndTheSlack() {
        ReplayPoll p = new ReplayPoll("h:1/camel-1", T, Duration.ofSeconds(2), null);
        assertThat(p.live(T)).isTrue();
        assertThat(p.live(T.plusSeconds(11))).as("3 x 2s + 5s").isTrue();
        assertThat(p.live(T.plusSeconds(11).plusMillis(1))).isFalse();
        assertThat(new ReplayPoll("h:1/camel-1", T, Duration.ofMinutes(1), null).live(T.plusSeconds(180))).isTrue();
    }

    @Test
    void aStoppedPollerIsNotLive() {
        assertThat(new ReplayPoll("h:1/camel-1", T, Duration.ofSeconds(2), T.plusMillis(10)).live(T.plusMillis(20)))
                .isFalse();
    }

    @Test
    void thePollersAnswerTheNewestPollAndAnyLiveOne() {
        ReplayPoll old = new ReplayPoll("a:1/camel-1", T.minusSeconds(600), Duration.ofSeconds(2), null);
        ReplayPoll stopped = new ReplayPoll("b:2/camel-1", T.minusSeconds(1), Duration.ofSeconds(2), T);
        ReplayPoll live = new ReplayPoll("c:3/camel-1", T.minusSeconds(3), Duration.ofSeconds(2), null);
        ReplayPollers pollers = new ReplayPollers(List.of(old, live, stopped));
        assertThat(pollers.last()).contains(stopped);
        assertThat(pollers.live(T)).contains(live);
        assertThat(new ReplayPollers(List.of(old, stopped)).live(T)).isEmpty();
        assertThat(new ReplayPollers(List.of()).last()).isEmpty();
    }
}
