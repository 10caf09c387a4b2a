package io.selfheal.runs;

/**
 * How a run of a job ended, as the person on call reads it. Judged once from the run's counts when it ends
 * ({@link #judge}), again when a replay delivers one of its parked records, and set to {@link #ABANDONED} by the store
 * for a run whose process died.
 */
public enum RunOutcome {
    /** No failure at all: every record was delivered on its first try and nothing was retried. */
    CLEAN,
    /**
     * Failures happened and retries absorbed every one of them: nothing is missing. Also a PARTIAL run whose every
     * parked record was later delivered by replay (its counts keep {@code deliveredLater}, so history still shows it).
     */
    HEALED,
    /** Some records were parked: they wait in the parked store for a replay or a human. */
    PARTIAL,
    /** The run itself could not do its work (its fetch gave up, every whole-run attempt included). */
    FAILED,
    /** The process died mid-run; found later by heartbeat or at the next start. */
    ABANDONED;

    /**
     * The outcome of a run that ended: FAILED when the run itself failed, PARTIAL while any record is still parked,
     * HEALED when anything failed on the way (a retry of a call, a record delivered after retries or by replay, a
     * whole-run retry), CLEAN otherwise. Pure: never ABANDONED, which only the store decides.
     *
     * @param runAttempts how many times the run was started as a whole (1 when it was not retried)
     */
    public static RunOutcome judge(RunCounts counts, int runAttempts, boolean runFailed) {
        if (runFailed) {
            return FAILED;
        }
        if (counts.parked() > 0) {
            return PARTIAL;
        }
        if (counts.deliveredAfterRetries() > 0 || counts.deliveredLater() > 0 || counts.retries() > 0
                || runAttempts > 1) {
            return HEALED;
        }
        return CLEAN;
    }

    /** CLEAN or HEALED: nothing is missing. */
    public boolean succeeded() {
        return this == CLEAN || this == HEALED;
    }
}
