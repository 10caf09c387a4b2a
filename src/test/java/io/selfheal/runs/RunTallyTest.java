package io.selfheal.runs;

import io.selfheal.retry.DelaySource;
import io.selfheal.retry.GiveUpReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunTallyTest {
    private static final int THREADS = 8;
    private static final int PER_THREAD = 5_000;

    @Test
    void countsAreExactWhenManyThreadsRecordAtOnce() throws Exception {
        RunTally tally = new RunTally();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < PER_THREAD; i++) {
                        tally.records(1);
                        String upstream = i % 2 == 0 ? "inventory-service" : "pricing";
                        tally.call(upstream, false);
                        switch (i % 10) {
                            case 0 -> { // parked after 3 attempts, 500 each time
                                tally.call(upstream, true);
                                tally.call(upstream, true);
                                tally.waited(DelaySource.BACKOFF, Duration.ofMillis(10));
                                tally.parked(GiveUpReason.ATTEMPTS, 3, Duration.ofMillis(1_000 + thread), upstream,
                                        List.of("500", "500", "500"));
                            }
                            case 1 -> { // delivered after one retry
                                tally.call(upstream, true);
                                tally.waited(DelaySource.RETRY_AFTER, Duration.ofMillis(5));
                                tally.deliveredAfterRetries();
                            }
                            case 2 -> tally.parked(GiveUpReason.PERMANENT, 1, Duration.ZERO, upstream, List.of("400"));
                            default -> tally.deliveredFirstTry();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long total = (long) THREADS * PER_THREAD;
        long tenth = total / 10;
        RunCounts c = tally.snapshot();
        assertThat(c.records()).isEqualTo(total);
        assertThat(c.deliveredFirstTry()).isEqualTo(total - 3 * tenth);
        assertThat(c.deliveredAfterRetries()).isEqualTo(tenth);
        assertThat(c.parkedByReason()).containsExactlyInAnyOrderEntriesOf(
                Map.of(GiveUpReason.ATTEMPTS, tenth, GiveUpReason.PERMANENT, tenth));
        assertThat(c.delivered() + c.parked()).isEqualTo(total);
        assertThat(c.calls()).isEqualTo(total + 2 * tenth + tenth);
        assertThat(c.retries()).isEqualTo(3 * tenth);
        // i % 10 == 0 and 2 are even: every parked record called inventory-service
        assertThat(c.upstreams().get("inventory-service").parkedFailures())
                .containsExactlyInAnyOrderEntriesOf(Map.of("500", 3 * tenth, "400", tenth));
        assertThat(c.upstreams().get("pricing").parkedFailures()).isEmpty();
        assertThat(c.waited(DelaySource.BACKOFF)).isEqualTo(Duration.ofMillis(10 * tenth));
        assertThat(c.waited(DelaySource.RETRY_AFTER)).isEqualTo(Duration.ofMillis(5 * tenth));
        assertThat(c.waited(DelaySource.BREAKER)).isZero();
        assertThat(c.maxParkedAttempts()).isEqualTo(3);
        assertThat(c.longestParkedElapsed()).isEqualTo(Duration.ofMillis(1_000 + THREADS - 1));
    }

    @Test
    void aCallOrParkedRecordWithoutUpstreamIsCountedAsUnknown() {
        RunTally tally = new RunTally();
        tally.call(null, false);
        tally.parked(GiveUpReason.DURATION, 2, Duration.ofSeconds(1), " ", List.of("timeout", ""));
        RunCounts c = tally.snapshot();
        assertThat(c.upstreams()).containsOnlyKeys(RunTally.UNKNOWN_UPSTREAM);
        assertThat(c.upstreams().get(RunTally.UNKNOWN_UPSTREAM).parkedFailures())
                .containsExactlyInAnyOrderEntriesOf(Map.of("timeout", 1L, "an unknown failure", 1L));
        assertThatThrownBy(() -> tally.records(-1)).hasMessageContaining("negative");
    }

    @Test
    void countsSurviveTheirJsonForm() {
        RunCounts seed = RunFixtures.seed();
        assertThat(RunCounts.fromJson(seed.toJson())).isEqualTo(seed);
        assertThat(RunCounts.fromJson(RunCounts.EMPTY.toJson())).isEqualTo(RunCounts.EMPTY);
        RunCounts later = seed.replayDelivered(GiveUpReason.ATTEMPTS);
        assertThat(RunCounts.fromJson(later.toJson())).isEqualTo(later);
    }

    @Test
    void reasonsAndSourcesANewerVersionWroteAreLeftOut() {
        RunCounts c = RunCounts.fromJson("{\"records\":2,\"firstTry\":1,\"parked\":{\"ATTEMPTS\":1,\"FUTURE\":4},"
                + "\"waitedMillis\":{\"backoff\":5,\"teleport\":9}}");
        assertThat(c.parkedByReason()).containsExactlyEntriesOf(Map.of(GiveUpReason.ATTEMPTS, 1L));
        assertThat(c.waited()).containsExactlyEntriesOf(Map.of(DelaySource.BACKOFF, Duration.ofMillis(5)));
        assertThatThrownBy(() -> RunCounts.fromJson("[1]")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aReplayCannotDeliverWhatIsNotParked() {
        assertThatThrownBy(() -> RunFixtures.clean(3).replayDelivered(GiveUpReason.ATTEMPTS))
                .isInstanceOf(IllegalStateException.class);
    }
}
