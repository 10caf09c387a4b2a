package io.selfheal.runs;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One run of a job, as recorded. Immutable.
 *
 * @param job         the job: the id of the route its schedule starts
 * @param runId       unique across instances
 * @param instanceId  the process that runs (or ran) it
 * @param triggerTime when the schedule fired (the run's name in a page: "run of 02:00")
 * @param started     when the run began
 * @param ended       absent while running
 * @param state       RUNNING or ENDED
 * @param outcome     absent while running
 * @param counts      the run's counts, as of its last update; parked records delivered later by replay included
 * @param failure     why the run itself failed (FAILED) or was abandoned (ABANDONED)
 * @param attempts    how many times the run was started as a whole (1 unless its first step gave up and it was retried)
 * @param heartbeat   the last sign of life of its process
 */
public record JobRun(String job, String runId, String instanceId, Instant triggerTime, Instant started,
                     Optional<Instant> ended, RunState state, Optional<RunOutcome> outcome, RunCounts counts,
                     Optional<String> failure, int attempts, Instant heartbeat) {
    public JobRun {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(triggerTime, "triggerTime");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(ended, "ended");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(heartbeat, "heartbeat");
    }

    public boolean running() {
        return state == RunState.RUNNING;
    }

    /** From start to end, or to {@code now} while running. */
    public Duration duration(Instant now) {
        return Duration.between(started, ended.orElse(now));
    }
}
