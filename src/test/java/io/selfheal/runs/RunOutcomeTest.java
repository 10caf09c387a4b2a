package io.selfheal.runs;

import io.selfheal.retry.GiveUpReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.selfheal.runs.RunFixtures.clean;
import static io.selfheal.runs.RunFixtures.parked;
import static io.selfheal.runs.RunFixtures.retriedEveryRecord;
import static io.selfheal.runs.RunFixtures.seed;
import static org.assertj.core.api.Assertions.assertThat;

class RunOutcomeTest {
    @Test
    void aRunWithoutAnyFailureIsClean() {
        assertThat(RunOutcome.judge(clean(5_000), 1, false)).isEqualTo(RunOutcome.CLEAN);
        assertThat(RunOutcome.judge(RunCounts.EMPTY, 1, false)).as("a run with nothing to do").isEqualTo(RunOutcome.CLEAN);
    }

    @Test
    void failuresThatRetriesAbsorbedAreHealed() {
        assertThat(RunOutcome.judge(retriedEveryRecord(10, 2), 1, false)).isEqualTo(RunOutcome.HEALED);
    }

    @Test
    void aRetriedCallWithoutARetriedRecordIsHealed() {
        // the fetch of the run's input was retried once; every record then went through first try
        RunCounts fetchRetried = new RunCounts(3, 3, 0, 0, Map.of(),
                Map.of("source", new UpstreamRunCounts(2, 1, Map.of())), Map.of(), 0, Duration.ZERO);
        assertThat(RunOutcome.judge(fetchRetried, 1, false)).isEqualTo(RunOutcome.HEALED);
    }

    @Test
    void aRunRetriedAsAWholeIsHealedWhenItThenSucceeds() {
        assertThat(RunOutcome.judge(clean(10), 2, false)).isEqualTo(RunOutcome.HEALED);
    }

    @Test
    void anyParkedRecordMakesItPartial() {
        assertThat(RunOutcome.judge(seed(), 1, false)).isEqualTo(RunOutcome.PARTIAL);
        assertThat(RunOutcome.judge(parked(1, 1), 1, false)).isEqualTo(RunOutcome.PARTIAL);
    }

    @Test
    void aRunThatCouldNotDoItsWorkFailedWhateverItsCounts() {
        assertThat(RunOutcome.judge(RunCounts.EMPTY, 3, true)).isEqualTo(RunOutcome.FAILED);
        assertThat(RunOutcome.judge(seed(), 1, true)).isEqualTo(RunOutcome.FAILED);
    }

    @Test
    void aPartialRunWhoseParkedRecordsWereAllDeliveredLaterIsHealed() {
        RunCounts later = seed().replayDelivered(GiveUpReason.ATTEMPTS, 3);
        assertThat(later.parked()).isZero();
        assertThat(later.deliveredLater()).isEqualTo(3);
        assertThat(RunOutcome.judge(later, 1, false)).isEqualTo(RunOutcome.HEALED);
        assertThat(RunOutcome.judge(seed().replayDelivered(GiveUpReason.ATTEMPTS, 2), 1, false))
                .isEqualTo(RunOutcome.PARTIAL);
    }

    @Test
    void judgingNeverSaysAbandoned() {
        for (RunCounts c : new RunCounts[]{RunCounts.EMPTY, clean(1), seed(), retriedEveryRecord(3, 1)}) {
            for (boolean failed : new boolean[]{true, false}) {
                assertThat(RunOutcome.judge(c, 1, failed)).isNotEqualTo(RunOutcome.ABANDONED);
            }
        }
        assertThat(RunOutcome.CLEAN.succeeded()).isTrue();
        assertThat(RunOutcome.HEALED.succeeded()).isTrue();
        assertThat(RunOutcome.PARTIAL.succeeded()).isFalse();
        assertThat(RunOutcome.FAILED.succeeded()).isFalse();
        assertThat(RunOutcome.ABANDONED.succeeded()).isFalse();
    }
}
