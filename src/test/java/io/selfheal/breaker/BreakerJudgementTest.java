package io.selfheal.breaker;

import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.retry.DelaySource;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** How a breaker judges: the wait told in the first open period, probe rounds, and the reason it gives for opening. */
class BreakerJudgementTest {
    private static final long NANOS = 1_000_000;

    /** A clock the test moves; Resilience4j reads the same one, so the open state can be ended without waiting. */
    static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static BreakerRegistry registry(Clock clock, String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("selfheal.breaker.defaults.automatic-transition", "false");
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put("selfheal.breaker.defaults." + keyValues[i], keyValues[i + 1]);
        }
        return new BreakerRegistry(SelfhealConfig.load(m).breakers(), clock);
    }

    /** What one of the racing callers does; {@code caller} numbers them from 0. */
    interface Caller {
        void run(int caller) throws Exception;
    }

    /** Starts {@code callers} threads together on {@code body} and waits until every one has finished. */
    private static void race(int callers, Caller body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch go = new CountDownLatch(1);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        try {
            for (int t = 0; t < callers; t++) {
                int caller = t;
                done.add(pool.submit(() -> {
                    go.await();
                    body.run(caller);
                    return null;
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Eight callers fail at once, so the consecutive-failure trip and Resilience4j's own failure rate both want to
     * open the breaker; callers turned away meanwhile must be told exactly the wait of the open state installed.
     */
    @RepeatedTest(200)
    void theFirstOpenPeriodsWaitIsExactlyUntilTheProbe() throws Exception {
        MovableClock clock = new MovableClock();
        BreakerRegistry r = registry(clock, "consecutive-failures", "5", "minimum-calls", "5", "sliding-window-size", "10",
                "wait-in-open", "10s", "wait-in-open-multiplier", "2", "wait-in-open-max", "2m");
        List<BreakerTransition> seen = new CopyOnWriteArrayList<>();
        r.onTransitionEvent(seen::add);
        UpstreamBreaker b = r.forUpstream("inventory");
        List<Duration> told = new CopyOnWriteArrayList<>();
        race(8, caller -> {
            for (int i = 0; i < 4; i++) {
                Admission a = b.admit();
                if (a.admitted()) {
                    b.onFailure(NANOS, new IOException("down"));
                } else if (a.statedWait().source() == DelaySource.BREAKER) {
                    told.add(a.statedWait().duration());
                }
            }
        });
        List<BreakerTransition> openings = seen.stream().filter(t -> t.to() == State.OPEN).toList();
        assertThat(openings).hasSize(1);
        Duration openFor = openings.get(0).openFor();
        assertThat(openFor).isEqualTo(Duration.ofSeconds(10));
        // the clock did not move: every caller turned away was told the whole first wait (plus the 1 ms Resilience4j
        // needs to be strictly past it), never the next round's
        assertThat(told).isNotEmpty().allSatisfy(w -> assertThat(w).isEqualTo(openFor.plusMillis(1)));
        // and the wait told is the one the breaker keeps: a call just before it is refused, one at it is a probe
        clock.advance(openFor.minusMillis(1));
        assertThat(b.admit().admitted()).isFalse();
        clock.advance(Duration.ofMillis(2));
        Admission probe = b.admit();
        assertThat(probe.admitted()).isTrue();
        assertThat(probe.probe()).isTrue();
    }

    /** Plays probe rounds: each admits every permitted probe, then their outcomes arrive in order. */
    private static int[] playRounds(UpstreamBreaker b, MovableClock clock, int rounds, double failureRate, long seed) {
        Random random = new Random(seed);
        int closed = 0;
        int reopened = 0;
        for (int round = 0; round < rounds; round++) {
            b.circuitBreaker().transitionToOpenState();
            clock.advance(Duration.ofMinutes(10));
            List<Admission> probes = new ArrayList<>();
            for (int i = 0; i < b.settings().permittedCallsInHalfOpen(); i++) {
                Admission a = b.admit();
                assertThat(a.admitted()).as("round %d probe %d: %s %s", round, i, b.state(), a.why()).isTrue();
                assertThat(a.probe()).isTrue();
                probes.add(a);
            }
            assertThat(b.admit().admitted()).as("no probe beyond the permitted ones").isFalse();
            for (int i = 0; i < probes.size() && b.state() == State.HALF_OPEN; i++) {
                if (random.nextDouble() < failureRate) {
                    b.onFailure(NANOS, new IOException("flaky"));
                } else {
                    b.onSuccess(NANOS);
                }
            }
            if (b.state() == State.CLOSED) {
                closed++;
            } else if (b.state() == State.OPEN) {
                reopened++;
            }
        }
        return new int[]{closed, reopened};
    }

    @Test
    void aRecoveredUpstreamThatStillFailsAQuarterOfCallsClosesInAtLeast95PercentOfProbeRounds() {
        MovableClock clock = new MovableClock();
        // the send rate's ramp after each close would pace the probes on the real clock: judged alone here
        UpstreamBreaker b = registry(clock, "wait-in-open", "1s", "wait-in-open-max", "1m", "adaptive-send-rate", "false")
                .forUpstream("flaky");
        int[] outcome = playRounds(b, clock, 2000, 0.26, 26);
        assertThat(outcome[0] + outcome[1]).isEqualTo(2000);
        assertThat(outcome[0]).isGreaterThanOrEqualTo(1900);
    }

    @Test
    void anUpstreamStillDownReopensAtOnceAfterThePermittedProbesAndWaitsLongerEachRound() {
        MovableClock clock = new MovableClock();
        BreakerRegistry r = registry(clock, "consecutive-failures", "1", "wait-in-open", "1s", "wait-in-open-max", "1m");
        List<BreakerTransition> seen = new CopyOnWriteArrayList<>();
        r.onTransitionEvent(seen::add);
        UpstreamBreaker b = r.forUpstream("down");
        b.admit();
        b.onFailure(NANOS, new IOException("down"));
        for (int round = 0; round < 3; round++) {
            clock.advance(seen.get(seen.size() - 1).openFor().plusMillis(1));
            for (int i = 0; i < 3; i++) {
                assertThat(b.admit().probe()).isTrue();
            }
            b.onFailure(NANOS, new IOException("down"));
            b.onFailure(NANOS, new IOException("down"));
            assertThat(b.state()).isEqualTo(State.HALF_OPEN);
            b.onFailure(NANOS, new IOException("down"));
            // the round's last probe failed: open again, without another round
            assertThat(b.state()).isEqualTo(State.OPEN);
        }
        List<BreakerTransition> openings = seen.stream().filter(t -> t.to() == State.OPEN).toList();
        assertThat(openings).extracting(BreakerTransition::openFor)
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8));
        assertThat(openings.subList(1, 4)).extracting(BreakerTransition::reason).containsOnly("3 probes in a row failed");
        assertThat(b.probes()).isEqualTo(9);
    }

    private static final Pattern RATE = Pattern.compile("failure rate (\\d+\\.\\d) % over (\\d+) calls \\(threshold 50\\.0 %\\)");

    /** Successes and failures race from several threads; the reason must state a rate that reached the threshold. */
    @RepeatedTest(200)
    void theOpeningReasonStatesTheFigureThatCrossedTheThreshold() throws Exception {
        MovableClock clock = new MovableClock();
        BreakerRegistry r = registry(clock, "consecutive-failures", "0", "minimum-calls", "10", "sliding-window-size", "20");
        List<BreakerTransition> seen = new CopyOnWriteArrayList<>();
        r.onTransitionEvent(seen::add);
        UpstreamBreaker b = r.forUpstream("mixed");
        race(4, caller -> {
            Random random = new Random(caller);
            for (int i = 0; i < 50 && !b.isOpen(); i++) {
                if (b.admit().admitted()) {
                    if (random.nextDouble() < 0.55) {
                        b.onFailure(NANOS, new IOException("flaky"));
                    } else {
                        b.onSuccess(NANOS);
                    }
                }
            }
        });
        List<BreakerTransition> openings = seen.stream().filter(t -> t.to() == State.OPEN).toList();
        if (openings.isEmpty()) {
            // 55 % failures may stay under the threshold over a window: then there is nothing to state
            assertThat(b.state()).isEqualTo(State.CLOSED);
            return;
        }
        String reason = openings.get(0).reason();
        Matcher m = RATE.matcher(reason);
        assertThat(m.matches()).as(reason).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as(reason).isGreaterThanOrEqualTo(50.0);
        assertThat(Integer.parseInt(m.group(2))).as(reason).isBetween(10, 20);
    }
}
