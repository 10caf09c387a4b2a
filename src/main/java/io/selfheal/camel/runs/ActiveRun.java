package io.selfheal.camel.runs;

import io.selfheal.runs.JobRun;
import io.selfheal.runs.RunTally;
import org.apache.camel.Exchange;
import org.apache.camel.Route;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A run in progress on this instance: its record as begun, the exchange its schedule created, its tally, and the
 * first reason the run itself could not do its work (null while it can); and what a whole-run retry needs: the
 * route, a copy of the firing's exchange as the schedule made it, the run's deadline and its starts so far.
 */
final class ActiveRun {
    private final JobRun begun;
    private volatile String exchangeId;
    private final boolean splits;
    private final RunTally tally = new RunTally();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicInteger starts = new AtomicInteger(1);
    private volatile Route route;
    private volatile Exchange firing;
    private volatile Instant deadline;

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

    /** What a whole-run retry starts again: the firing's exchange as its schedule made it, through its route. */
    void restartable(Route route, Exchange firing, Instant deadline) {
        this.route = route;
        this.firing = firing;
        this.deadline = deadline;
    }

    Route route() {
        return route;
    }

    /** A copy of the firing's exchange before any step ran, or null when the run cannot be started again. */
    Exchange firing() {
        return firing;
    }

    /** No whole-run retry starts after this; null: none is known (the run's max attempts bound it). */
    Instant deadline() {
        return deadline;
    }

    /** How many times the run was started, the first included. */
    int starts() {
        return starts.get();
    }

    /** The run starts again as a whole, on a fresh exchange. */
    void restartedAs(String newExchangeId) {
        starts.incrementAndGet();
        this.exchangeId = newExchangeId;
    }

    /** The exchange the schedule created (or a whole-run retry's): its split items carry it as their correlation id. */
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
