package io.selfheal.runs;

import io.selfheal.retry.GiveUpReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

import static io.selfheal.runs.RunFixtures.TWO_AM;
import static org.assertj.core.api.Assertions.assertThat;

class RunPageTest {
    private static final Optional<String> RUNBOOK = Optional.of("https://runbooks.example/inventory-sync");

    @Test
    void thePageOfAPartialRunIsTheSeedsSentence() {
        JobRun run = RunFixtures.ended("inventory-sync", TWO_AM, RunOutcome.PARTIAL, RunFixtures.seed());
        RunPage page = RunPage.of(run, RunPagePolicy.defaults(), ZoneOffset.UTC, RUNBOOK).orElseThrow();
        assertThat(page.text()).isEqualTo("Job inventory-sync, run of 02:00: 3 of 5,000 records parked after retrying "
                + "8 times over 4m12s; all attempts returned 500 from inventory-service "
                + "(runbook: https://runbooks.example/inventory-sync)");
        assertThat(page.job()).isEqualTo("inventory-sync");
        assertThat(page.runId()).isEqualTo(run.runId());
        assertThat(page.outcome()).isEqualTo(RunOutcome.PARTIAL);
    }

    @Test
    void theTriggerTimeIsSaidInTheJobsZoneAndWithSecondsOnlyWhenItHasThem() {
        JobRun run = RunFixtures.ended("inventory-sync", TWO_AM, RunOutcome.PARTIAL, RunFixtures.seed());
        assertThat(RunPage.text(run, ZoneId.of("Europe/Berlin"), Optional.empty()))
                .startsWith("Job inventory-sync, run of 03:00: ")
                .endsWith("from inventory-service");
        JobRun odd = RunFixtures.ended("inventory-sync", TWO_AM.plusSeconds(7), RunOutcome.PARTIAL, RunFixtures.seed());
        assertThat(RunPage.text(odd, ZoneOffset.UTC, Optional.empty())).startsWith("Job inventory-sync, run of 02:00:07: ");
    }

    @Test
    void severalUpstreamsAndMixedFailuresAreEachSaid() {
        RunCounts counts = new RunCounts(1_234_567, 1_234_000, 0, 0,
                Map.of(GiveUpReason.ATTEMPTS, 500L, GiveUpReason.PERMANENT, 67L),
                Map.of("inventory-service", new UpstreamRunCounts(1_300_000, 3_000, Map.of("500", 2_000L, "503", 1_200L)),
                        "pricing", new UpstreamRunCounts(10, 0, Map.of("400", 67L))),
                Map.of(), 6, Duration.ofMillis(61_500));
        JobRun run = RunFixtures.ended("nightly-export", TWO_AM, RunOutcome.PARTIAL, counts);
        assertThat(RunPage.text(run, ZoneOffset.UTC, Optional.empty())).isEqualTo("Job nightly-export, run of 02:00: "
                + "567 of 1,234,567 records parked after retrying 6 times over 1m01s; attempts returned 500 (2,000), "
                + "503 (1,200) from inventory-service; all attempts returned 400 from pricing");
    }

    @Test
    void recordsParkedWithoutARetrySayItAndOneRecordIsOneRecord() {
        RunCounts counts = new RunCounts(1, 0, 0, 0, Map.of(GiveUpReason.PERMANENT, 1L),
                Map.of("inventory-service", new UpstreamRunCounts(1, 0, Map.of("400", 1L))), Map.of(), 1, Duration.ZERO);
        JobRun run = RunFixtures.ended("inventory-sync", TWO_AM, RunOutcome.PARTIAL, counts);
        assertThat(RunPage.text(run, ZoneOffset.UTC, Optional.empty())).isEqualTo("Job inventory-sync, run of 02:00: "
                + "1 of 1 record parked without a retry; all attempts returned 400 from inventory-service");
    }

    @Test
    void theFailedForm() {
        JobRun once = new JobRun("inventory-sync", "r1", "host-a", TWO_AM, TWO_AM, Optional.of(TWO_AM.plusSeconds(300)),
                RunState.ENDED, Optional.of(RunOutcome.FAILED), RunCounts.EMPTY,
                Optional.of("the fetch of inventory.csv gave up after 8 attempts: all returned 503 from files-service"),
                1, TWO_AM);
        assertThat(RunPage.text(once, ZoneOffset.UTC, RUNBOOK)).isEqualTo("Job inventory-sync, run of 02:00 failed: the "
                + "fetch of inventory.csv gave up after 8 attempts: all returned 503 from files-service "
                + "(runbook: https://runbooks.example/inventory-sync)");
        JobRun retried = new JobRun("inventory-sync", "r2", "host-a", TWO_AM, TWO_AM, Optional.of(TWO_AM.plusSeconds(900)),
                RunState.ENDED, Optional.of(RunOutcome.FAILED), RunFixtures.parked(2_000, 4),
                Optional.of("the run deadline of 14m passed"), 3, TWO_AM);
        assertThat(RunPage.text(retried, ZoneOffset.UTC, Optional.empty())).isEqualTo("Job inventory-sync, run of 02:00 "
                + "failed after 3 attempts of the whole run: the run deadline of 14m passed; 4 of 2,000 records parked "
                + "after retrying 5 times over 20s; all attempts returned 503 from inventory-service");
    }

    @Test
    void theAbandonedForm() {
        JobRun run = new JobRun("inventory-sync", "r1", "host-a", TWO_AM, TWO_AM, Optional.of(TWO_AM.plusSeconds(95)),
                RunState.ENDED, Optional.of(RunOutcome.ABANDONED), RunFixtures.parked(5_000, 2),
                Optional.of("instance host-a sent no heartbeat for over 1m00s (found by host-b)"), 1,
                Instant.parse("2026-12-03T02:01:35Z"));
        assertThat(RunPage.text(run, ZoneOffset.UTC, RUNBOOK)).isEqualTo("Job inventory-sync, run of 02:00 was "
                + "abandoned: instance host-a sent no heartbeat for over 1m00s (found by host-b); 4,998 of 5,000 records "
                + "delivered before it stopped (runbook: https://runbooks.example/inventory-sync)");
    }

    @Test
    void aHealedOrCleanRunPagesNothing() {
        for (RunOutcome outcome : new RunOutcome[]{RunOutcome.CLEAN, RunOutcome.HEALED}) {
            JobRun run = RunFixtures.ended("inventory-sync", TWO_AM, outcome, RunFixtures.retriedEveryRecord(50, 7));
            for (RunPagePolicy.Trigger t : RunPagePolicy.Trigger.values()) {
                assertThat(RunPage.of(run, new RunPagePolicy(t, 0, 0), ZoneOffset.UTC, RUNBOOK)).as(t + " " + outcome).isEmpty();
            }
        }
    }
}
