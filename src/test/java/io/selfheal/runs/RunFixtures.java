package io.selfheal.runs;

import io.selfheal.retry.DelaySource;
import io.selfheal.retry.GiveUpReason;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Counts and runs the tests of this package build by hand. */
final class RunFixtures {
    static final Instant TWO_AM = Instant.parse("2026-12-03T02:00:00Z");

    private RunFixtures() {
    }

    /** Every record delivered first try, one call each. */
    static RunCounts clean(long records) {
        return new RunCounts(records, records, 0, 0, Map.of(),
                Map.of("inventory-service", new UpstreamRunCounts(records, 0, Map.of())), Map.of(), 0, Duration.ZERO);
    }

    /** Every record delivered after {@code retries} retries of its call. */
    static RunCounts retriedEveryRecord(long records, int retries) {
        return new RunCounts(records, 0, records, 0, Map.of(),
                Map.of("inventory-service", new UpstreamRunCounts(records * (retries + 1), records * retries, Map.of())),
                Map.of(DelaySource.BACKOFF, Duration.ofSeconds(records)), 0, Duration.ZERO);
    }

    /** The seed's run: 3 of 5,000 parked after 8 attempts over 4m12s, every attempt a 500 from inventory-service. */
    static RunCounts seed() {
        return new RunCounts(5_000, 4_900, 97, 0, Map.of(GiveUpReason.ATTEMPTS, 3L),
                Map.of("inventory-service", new UpstreamRunCounts(5_000 + 97 * 2 + 3 * 8, 97 * 2 + 3 * 7,
                        Map.of("500", 24L))),
                Map.of(DelaySource.BACKOFF, Duration.ofMinutes(9), DelaySource.RETRY_AFTER, Duration.ofSeconds(30)),
                8, Duration.ofSeconds(4 * 60 + 12));
    }

    static RunCounts parked(long records, long parked) {
        return new RunCounts(records, records - parked, 0, 0, Map.of(GiveUpReason.ATTEMPTS, parked),
                Map.of("inventory-service", new UpstreamRunCounts(records + parked * 4, parked * 4, Map.of("503", parked * 5))),
                Map.of(), 5, Duration.ofSeconds(20));
    }

    /** An ended run with these counts and outcome, started at its trigger time. */
    static JobRun ended(String job, Instant started, RunOutcome outcome, RunCounts counts) {
        return new JobRun(job, "run-" + started.toEpochMilli() + "-" + outcome, "host-a", started, started,
                Optional.of(started.plusSeconds(60)), RunState.ENDED, Optional.of(outcome), counts,
                outcome == RunOutcome.FAILED || outcome == RunOutcome.ABANDONED ? Optional.of("it broke") : Optional.empty(),
                1, started.plusSeconds(60));
    }

    static JobRun running(String job, Instant started) {
        return new JobRun(job, "run-" + started.toEpochMilli(), "host-a", started, started, Optional.empty(),
                RunState.RUNNING, Optional.empty(), RunCounts.EMPTY, Optional.empty(), 1, started);
    }

    static <T> List<T> times(int n, T t) {
        return Collections.nCopies(n, t);
    }
}
