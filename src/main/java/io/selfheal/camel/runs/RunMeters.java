package io.selfheal.camel.runs;

import io.selfheal.observe.SelfhealMeters;
import io.selfheal.runs.JobRun;
import io.selfheal.runs.RunCounts;

import java.util.function.Consumer;

/**
 * Each ended run (and each run this instance found abandoned) in {@link SelfhealMeters}: the run by its outcome, its
 * duration, its records by how they ended. A record a replay delivers later counts as {@code delivered_later} then
 * ({@link JobRuns#deliveredByReplay}); it stays counted as parked too, for the run that parked it did.
 */
final class RunMeters implements Consumer<JobRun> {
    static final String FIRST_TRY = "first_try";
    static final String AFTER_RETRIES = "after_retries";
    static final String PARKED = "parked";
    static final String DELIVERED_LATER = "delivered_later";

    private final SelfhealMeters meters;

    RunMeters(SelfhealMeters meters) {
        this.meters = meters;
    }

    @Override
    public void accept(JobRun run) {
        RunCounts c = run.counts();
        meters.jobRunEnded(run.job(), run.outcome().map(Enum::name).orElse("unknown"),
                run.duration(run.ended().orElse(run.started())));
        meters.jobRecords(run.job(), FIRST_TRY, c.deliveredFirstTry());
        meters.jobRecords(run.job(), AFTER_RETRIES, c.deliveredAfterRetries());
        meters.jobRecords(run.job(), PARKED, c.parked() + c.deliveredLater());
    }

    void deliveredLater(String job) {
        meters.jobRecords(job, DELIVERED_LATER, 1);
    }
}
