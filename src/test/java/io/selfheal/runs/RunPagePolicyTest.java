package io.selfheal.runs;

import io.selfheal.runs.RunPagePolicy.Trigger;
import io.selfheal.retry.GiveUpReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import java.util.Map;

import static io.selfheal.runs.RunFixtures.TWO_AM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunPagePolicyTest {
    private static final JobRun CLEAN = RunFixtures.ended("j", TWO_AM, RunOutcome.CLEAN, RunFixtures.clean(100));
    private static final JobRun HEALED = RunFixtures.ended("j", TWO_AM, RunOutcome.HEALED, RunFixtures.retriedEveryRecord(100, 7));
    /** 3 of 1,000 parked: 0.3 %. */
    private static final JobRun PARTIAL_FEW = RunFixtures.ended("j", TWO_AM, RunOutcome.PARTIAL, RunFixtures.parked(1_000, 3));
    /** 50 of 1,000 parked: 5 %. */
    private static final JobRun PARTIAL_MANY = RunFixtures.ended("j", TWO_AM, RunOutcome.PARTIAL, RunFixtures.parked(1_000, 50));
    private static final JobRun FAILED = RunFixtures.ended("j", TWO_AM, RunOutcome.FAILED, RunCounts.EMPTY);
    private static final JobRun ABANDONED = RunFixtures.ended("j", TWO_AM, RunOutcome.ABANDONED, RunFixtures.parked(1_000, 3));

    /** Policy (count 10, share 1 %) by trigger: which of CLEAN, HEALED, few, many, FAILED, ABANDONED page. */
    private static final Map<Trigger, boolean[]> MATRIX = Map.of(
            Trigger.ANY_PARTIAL, new boolean[]{false, false, true, true, true, true},
            Trigger.PARKED_COUNT, new boolean[]{false, false, false, true, true, true},
            Trigger.PARKED_SHARE, new boolean[]{false, false, false, true, true, true},
            Trigger.FAILED_ONLY, new boolean[]{false, false, false, false, true, true},
            Trigger.NEVER, new boolean[]{false, false, false, false, false, false});

    @Test
    void whatPagesUnderEachPolicy() {
        JobRun[] runs = {CLEAN, HEALED, PARTIAL_FEW, PARTIAL_MANY, FAILED, ABANDONED};
        assertThat(MATRIX).containsOnlyKeys(Trigger.values());
        MATRIX.forEach((trigger, expected) -> {
            RunPagePolicy policy = new RunPagePolicy(trigger, 10, 0.01);
            for (int i = 0; i < runs.length; i++) {
                assertThat(policy.pages(runs[i])).as(trigger + " on " + runs[i].outcome().orElseThrow() + " #" + i)
                        .isEqualTo(expected[i]);
            }
        });
    }

    @Test
    void theThresholdsAreAboveNotAt() {
        assertThat(new RunPagePolicy(Trigger.PARKED_COUNT, 3, 0).pages(PARTIAL_FEW)).isFalse();
        assertThat(new RunPagePolicy(Trigger.PARKED_COUNT, 2, 0).pages(PARTIAL_FEW)).isTrue();
        assertThat(new RunPagePolicy(Trigger.PARKED_SHARE, 0, 0.003).pages(PARTIAL_FEW)).isFalse();
        assertThat(new RunPagePolicy(Trigger.PARKED_SHARE, 0, 0.0029).pages(PARTIAL_FEW)).isTrue();
        // a run that did not count its records: any parked one is above every share
        RunCounts uncounted = new RunCounts(0, 0, 0, 0, Map.of(GiveUpReason.ATTEMPTS, 1L), Map.of(), Map.of(), 2,
                Duration.ofSeconds(3));
        JobRun noRecords = RunFixtures.ended("j", TWO_AM, RunOutcome.PARTIAL, uncounted);
        assertThat(new RunPagePolicy(Trigger.PARKED_SHARE, 0, 0.5).pages(noRecords)).isTrue();
    }

    @Test
    void aRunningRunNeverPages() {
        assertThat(RunPagePolicy.defaults().pages(RunFixtures.running("j", TWO_AM))).isFalse();
    }

    @Test
    void theDefaultPagesOnAnyPartialRun() {
        assertThat(RunPagePolicy.defaults()).isEqualTo(new RunPagePolicy(Trigger.ANY_PARTIAL, 0, 0.01));
        assertThat(Trigger.of("Parked_Share")).contains(Trigger.PARKED_SHARE);
        assertThat(Trigger.of("sometimes")).isEmpty();
        assertThatThrownBy(() -> new RunPagePolicy(Trigger.PARKED_SHARE, 0, 1.5)).hasMessageContaining("parkedShare");
        assertThatThrownBy(() -> new RunPagePolicy(Trigger.PARKED_COUNT, -1, 0)).hasMessageContaining("parkedCount");
    }
}
