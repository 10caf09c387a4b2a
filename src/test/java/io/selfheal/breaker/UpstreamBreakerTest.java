package io.selfheal.breaker;

import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.retry.DelaySource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The gate of one upstream, without Camel: trips, growing waits, holds and the listener API. */
class UpstreamBreakerTest {
    private static final long NANOS = 1_000_000;

    private BreakerRegistry registry(String... keyValues) {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return new BreakerRegistry(SelfhealConfig.load(m).breakers(), Clock.systemUTC());
    }

    private static void fail(UpstreamBreaker b, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(b.admit().admitted()).isTrue();
            b.onFailure(NANOS, new IOException("down"));
        }
    }

    @Test
    void consecutiveFailuresOpenItAndASuccessInBetweenResetsTheCount() {
        BreakerRegistry r = registry("selfheal.breaker.defaults.consecutive-failures", "3",
                "selfheal.breaker.defaults.automatic-transition", "false");
        UpstreamBreaker b = r.forUpstream("inventory");
        fail(b, 2);
        b.admit();
        b.onSuccess(NANOS);
        fail(b, 2);
        assertThat(b.state()).isEqualTo(State.CLOSED);
        fail(b, 1);
        assertThat(b.state()).isEqualTo(State.OPEN);
    }

    @Test
    void aRefusedCallIsToldTheTimeLeftAsABreakerWait() {
        BreakerRegistry r = registry("selfheal.breaker.defaults.consecutive-failures", "1",
                "selfheal.breaker.defaults.wait-in-open", "30s", "selfheal.breaker.defaults.wait-in-open-max", "1m",
                "selfheal.breaker.defaults.automatic-transition", "false");
        UpstreamBreaker b = r.forUpstream("inventory");
        fail(b, 1);
        Admission refused = b.admit();
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.statedWait().source()).isEqualTo(DelaySource.BREAKER);
        assertThat(refused.statedWait().duration()).isBetween(Duration.ofSeconds(25), Duration.ofMillis(30_001));
        assertThat(refused.why()).isEqualTo("circuit breaker OPEN");
        assertThat(b.untilProbe()).isBetween(Duration.ofSeconds(25), Duration.ofSeconds(30));
        assertThat(b.refusals()).isEqualTo(1);
    }

    @Test
    void eachFailedProbeOpensItLongerUpToTheMaximum() {
        BreakerRegistry r = registry("selfheal.breaker.defaults.consecutive-failures", "1",
                "selfheal.breaker.defaults.wait-in-open", "1s", "selfheal.breaker.defaults.wait-in-open-multiplier", "3",
                "selfheal.breaker.defaults.wait-in-open-max", "5s",
                "selfheal.breaker.defaults.permitted-calls-in-half-open", "1",
                "selfheal.breaker.defaults.automatic-transition", "false");
        List<BreakerTransition> seen = new CopyOnWriteArrayList<>();
        r.onTransitionEvent(seen::add);
        UpstreamBreaker b = r.forUpstream("inventory");
        fail(b, 1);
        for (int probe = 0; probe < 3; probe++) {
            b.circuitBreaker().transitionToHalfOpenState();
            Admission a = b.admit();
            assertThat(a.admitted()).isTrue();
            assertThat(a.probe()).isTrue();
            // the one permitted probe is out: others wait for its outcome
            Admission busy = b.admit();
            assertThat(busy.admitted()).isFalse();
            assertThat(busy.statedWait().duration()).isEqualTo(Duration.ofSeconds(1));
            b.onFailure(NANOS, new IOException("still down"));
        }
        List<Duration> waits = seen.stream().filter(t -> t.to() == State.OPEN).map(BreakerTransition::openFor).toList();
        assertThat(waits).hasSize(4);
        assertThat(waits.get(0)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(1));
        assertThat(waits.get(1)).isBetween(Duration.ofMillis(2900), Duration.ofSeconds(3));
        assertThat(waits.get(2)).isBetween(Duration.ofMillis(4900), Duration.ofSeconds(5));
        assertThat(waits.get(3)).isBetween(Duration.ofMillis(4900), Duration.ofSeconds(5));
        assertThat(seen.get(0).reason()).isEqualTo("1 consecutive failures");
        assertThat(seen.stream().filter(t -> t.from() == State.HALF_OPEN).map(BreakerTransition::reason))
                .allSatisfy(reason -> assertThat(reason).isEqualTo("1 probe failed"));
        assertThat(b.probes()).isEqualTo(3);

        // a successful probe closes it, and the next opening starts from the first wait again
        b.circuitBreaker().transitionToHalfOpenState();
        b.admit();
        b.onSuccess(NANOS);
        assertThat(b.state()).isEqualTo(State.CLOSED);
        fail(b, 1);
        assertThat(seen.get(seen.size() - 1).openFor()).isBetween(Duration.ofMillis(900), Duration.ofSeconds(1));
    }

    @Test
    void callsWithoutAVerdictGiveTheProbePermissionBack() {
        BreakerRegistry r = registry("selfheal.breaker.defaults.consecutive-failures", "1",
                "selfheal.breaker.defaults.permitted-calls-in-half-open", "1",
                "selfheal.breaker.defaults.automatic-transition", "false");
        UpstreamBreaker b = r.forUpstream("inventory");
        fail(b, 1);
        b.circuitBreaker().transitionToHalfOpenState();
        assertThat(b.admit().admitted()).isTrue();
        b.onNoVerdict();
        assertThat(b.admit().admitted()).isTrue();
        assertThat(b.state()).isEqualTo(State.HALF_OPEN);
    }

    @Test
    void aHoldKeepsEveryCallerBackUntilItsInstantAndNeverShrinks() {
        BreakerRegistry r = registry();
        UpstreamBreaker b = r.forUpstream("inventory");
        Instant later = Instant.now().plusSeconds(30);
        b.holdUntil(later);
        b.holdUntil(Instant.now().plusSeconds(5));
        Admission a = b.admit();
        assertThat(a.admitted()).isFalse();
        assertThat(a.statedWait().source()).isEqualTo(DelaySource.RETRY_AFTER);
        assertThat(a.statedWait().duration()).isBetween(Duration.ofSeconds(25), Duration.ofSeconds(30));
        assertThat(b.holdUntil()).isEqualTo(later);
        assertThat(b.state()).isEqualTo(State.CLOSED);
        b.holdUntil(Instant.now().minusSeconds(1));
        assertThat(r.forUpstream("other").admit().admitted()).isTrue();
    }

    @Test
    void disabledBreakersLetEverythingThroughAndNeverOpen() {
        BreakerRegistry r = registry("selfheal.breaker.inventory.enabled", "false");
        UpstreamBreaker b = r.forUpstream("inventory");
        fail(b, 50);
        assertThat(b.state()).isEqualTo(State.DISABLED);
        assertThat(r.state("other")).isEqualTo(State.CLOSED);
    }

    @Test
    void listenersHearStateChangesPerUpstreamAndCanBeCancelled() {
        BreakerRegistry r = registry("selfheal.breaker.defaults.consecutive-failures", "1",
                "selfheal.breaker.defaults.automatic-transition", "false");
        List<String> heard = new CopyOnWriteArrayList<>();
        BreakerRegistry.Subscription s = r.onTransition((upstream, state) -> heard.add(upstream + "=" + state));
        r.onTransition((upstream, state) -> {
            throw new IllegalStateException("a broken listener does not stop the others");
        });
        fail(r.forUpstream("a"), 1);
        fail(r.forUpstream("b"), 1);
        s.cancel();
        r.forUpstream("a").circuitBreaker().transitionToHalfOpenState();
        assertThat(heard).containsExactly("a=OPEN", "b=OPEN");
        assertThat(r.states()).isEqualTo(Map.of("a", State.HALF_OPEN, "b", State.OPEN));
        assertThat(r.isOpen("b")).isTrue();
    }
}
