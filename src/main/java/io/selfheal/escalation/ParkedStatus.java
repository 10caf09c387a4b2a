package io.selfheal.escalation;

/** Where a parked message is in its life. Only PARKED and REPLAY_REQUESTED ones can be replayed or discarded. */
public enum ParkedStatus {
    /** Given up and stored; waits for a replay or a discard. */
    PARKED,
    /** A replay was asked for from the command line; the running Selfheal picks it up. */
    REPLAY_REQUESTED,
    /** A replay is in flight. */
    REPLAYING,
    /** Replayed and delivered: its route completed without failing. */
    REPLAYED,
    /** Replayed, failed again, and parked again as a new record ({@code reparkedAs}) linked to this one. */
    REPARKED,
    /** The loss was accepted: who and why are recorded. */
    DISCARDED
}
