package io.selfheal.runs;

import io.selfheal.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class JobHealthTest {
    private static final Instant NOW = Instant.parse("2026-12-10T12:00:00Z");
    private final MutableClock clock = new MutableClock(NOW);

    /** A run of inventory-sync every hour from {@code fromHoursAgo} until {@code untilHoursAgo} (exclusive). */
    private static List<JobRun> hourly(int fromHoursAgo, int untilHoursAgo, RunOutcome outcome, RunCounts counts) {
        List<JobRun> out = new ArrayList<>();
        for (int h = fromHoursAgo; h > untilHoursAgo; h--) {
            out.add(RunFixtures.ended("inventory-sync", NOW.minus(Duration.ofHours(h)), outcome, counts));
        }
        return out;
    }

    @Test
    void succeedingOnTheSeventhRetryEveryTimeIsDegradingBeforeItIsAnOutage() {
        List<JobRun> runs = new ArrayList<>(hourly(48, 24, RunOutcome.CLEAN, RunFixtures.clean(100)));
        runs.addAll(hourly(24, 0, RunOutcome.HEALED, RunFixtures.retriedEveryRecord(100, 7)));

        JobHealth day = JobHealth.lastDay("inventory-sync", runs, clock);

        assertThat(day.current().successShare()).as("every run still succeeds").hasValue(1.0);
        assertThat(day.current().runs(RunOutcome.HEALED)).isEqualTo(24);
        assertThat(day.current().attemptsPerSuccess()).hasValue(8.0);
        assertThat(day.previous().attemptsPerSuccess()).hasValue(1.0);
        assertThat(day.current().retriedShare()).hasValue(1.0);
        assertThat(day.attemptsPerSuccessTrend().getAsDouble()).isCloseTo(7.0, within(1e-9));
        assertThat(day.retriedShareTrend().getAsDouble()).isCloseTo(1.0, within(1e-9));
        assertThat(day.successShareTrend()).hasValue(0.0);
        assertThat(day.degrading()).isTrue();
        assertThat(day.verdict()).isEqualTo("degrading: 8.00 attempts per success (was 1.00), 100% of records retried (was 0%)");
    }

    @Test
    void aJobThatAlwaysNeededAFewRetriesIsSteady() {
        RunCounts some = new RunCounts(100, 95, 5, 0, Map.of(),
                Map.of("inventory-service", new UpstreamRunCounts(107, 7, Map.of())),
                Map.of(), 0, Duration.ZERO);
        List<JobRun> runs = hourly(48, 0, RunOutcome.HEALED, some);
        JobHealth day = JobHealth.lastDay("inventory-sync", runs, clock);
        assertThat(day.current().attemptsPerSuccess()).hasValue(1.07);
        assertThat(day.current().retriedShare()).hasValue(0.05);
        assertThat(day.degrading()).isFalse();
        assertThat(day.verdict()).startsWith("steady: 1.07 attempts per success (was 1.07)");
    }

    @Test
    void theThresholdsAreTheDocumentedOnes() {
        // attempts per success 1.0 -> 1.5: exactly 1.5 times and a rise of exactly 0.5: degrading; 1.4 is not
        assertThat(health(1.0, 1.5).degrading()).isTrue();
        assertThat(health(1.0, 1.4).degrading()).isFalse();
        // 2.0 -> 2.6: a rise of 0.6 but only 1.3 times: steady
        assertThat(health(2.0, 2.6).degrading()).isFalse();
        assertThat(health(2.0, 3.0).degrading()).isTrue();
    }

    /** Previous window: 100 calls per 100 records at {@code before}; current at {@code after}; 5 % retried in both. */
    private JobHealth health(double before, double after) {
        List<JobRun> runs = new ArrayList<>();
        runs.addAll(hourly(48, 24, RunOutcome.HEALED, callsPerRecord(before)));
        runs.addAll(hourly(24, 0, RunOutcome.HEALED, callsPerRecord(after)));
        return JobHealth.lastDay("inventory-sync", runs, clock);
    }

    private static RunCounts callsPerRecord(double calls) {
        return new RunCounts(100, 95, 5, 0, Map.of(),
                Map.of("u", new UpstreamRunCounts(Math.round(100 * calls), Math.round(100 * calls) - 100,
                        Map.of())), Map.of(), 0, Duration.ZERO);
    }

    @Test
    void aRiseInTheShareOfRecordsNeedingRetriesIsDegradingToo() {
        List<JobRun> runs = new ArrayList<>(hourly(48, 24, RunOutcome.HEALED, RunFixtures.clean(100)));
        // 12 of 100 records delivered after one retry: 1.12 attempts per success, 12 % retried
        RunCounts twelve = new RunCounts(100, 88, 12, 0, Map.of(),
                Map.of("u", new UpstreamRunCounts(112, 12, Map.of())), Map.of(), 0,
                Duration.ZERO);
        runs.addAll(hourly(24, 0, RunOutcome.HEALED, twelve));
        JobHealth day = JobHealth.lastDay("inventory-sync", runs, clock);
        assertThat(day.current().attemptsPerSuccess()).hasValue(1.12);
        assertThat(day.degrading()).isTrue();
    }

    @Test
    void outcomesAndSuccessShareOverTheDayAndTheWeek() {
        List<JobRun> runs = new ArrayList<>();
        runs.addAll(hourly(24 * 14, 24 * 7, RunOutcome.CLEAN, RunFixtures.clean(10)));
        runs.addAll(hourly(24 * 7, 24, RunOutcome.CLEAN, RunFixtures.clean(10)));
        runs.add(RunFixtures.ended("inventory-sync", NOW.minus(Duration.ofHours(20)), RunOutcome.PARTIAL, RunFixtures.parked(10, 1)));
        runs.add(RunFixtures.ended("inventory-sync", NOW.minus(Duration.ofHours(10)), RunOutcome.FAILED, RunCounts.EMPTY));
        runs.add(RunFixtures.ended("inventory-sync", NOW.minus(Duration.ofHours(5)), RunOutcome.ABANDONED, RunCounts.EMPTY));
        runs.add(RunFixtures.ended("inventory-sync", NOW.minus(Duration.ofHours(2)), RunOutcome.HEALED, RunFixtures.retriedEveryRecord(10, 1)));
        runs.add(RunFixtures.running("inventory-sync", NOW.minus(Duration.ofMinutes(1))));
        runs.add(RunFixtures.ended("other-job", NOW.minus(Duration.ofHours(1)), RunOutcome.FAILED, RunCounts.EMPTY));

        JobHealth day = JobHealth.lastDay("inventory-sync", runs, clock);
        assertThat(day.current().runsByOutcome()).containsOnly(
                Map.entry(RunOutcome.PARTIAL, 1L), Map.entry(RunOutcome.FAILED, 1L),
                Map.entry(RunOutcome.ABANDONED, 1L), Map.entry(RunOutcome.HEALED, 1L));
        assertThat(day.current().running()).isEqualTo(1);
        assertThat(day.current().ended()).isEqualTo(4);
        assertThat(day.current().successShare()).hasValue(0.25);
        assertThat(day.previous().successShare()).hasValue(1.0);
        assertThat(day.successShareTrend()).hasValue(-0.75);

        JobHealth week = JobHealth.lastWeek("inventory-sync", runs, clock);
        assertThat(week.current().ended()).isEqualTo(24 * 6 + 4);
        assertThat(week.current().runs(RunOutcome.CLEAN)).isEqualTo(24 * 6);
        assertThat(week.previous().ended()).isEqualTo(24 * 7);
        assertThat(week.current().successShare().getAsDouble()).isCloseTo((24 * 6 + 1) / (24 * 6 + 4.0), within(1e-9));
    }

    @Test
    void aWindowWithoutRunsHasNoSharesAndIsNotDegrading() {
        JobHealth day = JobHealth.lastDay("inventory-sync", List.of(), clock);
        assertThat(day.current().successShare()).isEmpty();
        assertThat(day.current().attemptsPerSuccess()).isEmpty();
        assertThat(day.current().retriedShare()).isEmpty();
        assertThat(day.successShareTrend()).isEmpty();
        assertThat(day.degrading()).isFalse();
        assertThat(day.verdict()).isEqualTo("steady: no attempts counted, no records");
    }
}
