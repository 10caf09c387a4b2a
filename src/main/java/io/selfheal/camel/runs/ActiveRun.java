package io.selfheal.camel.runs;

import io.selfheal.runs.JobRun;
import io.selfheal.runs.RunTally;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A run in progress on this instance: its record as begun, the exchange its schedule created, its tally, and the
 * first reason the run itself could not do its work (null while it can).
 */
final class ActiveRun {
    private final JobRun begun;
    private final String exchangeId;
    private final boolean splits;
    private final RunTally tally = new RunTally();
    private final AtomicReference<String> failure = new AtomicReference<>();

    ActiveRun(JobRun begun, String exchangeId, boolean splits) {
        this.begun = begun;
        this.exchangeId = exchangeId;
        this.splits = splits;
    }

    String runId() {
        return begun.runId();
    }

    String job() {
        return begun.job();
    }

    JobRun begun() {
        return begun;
    }

    /** The exchange the schedule created: its split items carry it as their correlation id. */
    String exchangeId() {
        return exchangeId;
    }

    /** Whether the job's route splits: its records are then its split items, otherwise its exchange. */
    boolean splits() {
        return splits;
    }

    RunTally tally() {
        return tally;
    }

    /** The run itself failed; the first reason is kept. */
    void failed(String why) {
        failure.compareAndSet(null, why);
    }

    String failure() {
        return failure.get();
    }
}
