package io.selfheal.runs;

/** Where a run is: still running, or over (its outcome says how). */
public enum RunState {
    RUNNING,
    ENDED
}
