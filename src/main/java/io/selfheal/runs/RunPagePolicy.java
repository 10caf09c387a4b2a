package io.selfheal.runs;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Which ended runs of a job page a human. Never a CLEAN or HEALED run: nothing is missing. A FAILED run pages under
 * every trigger but {@link Trigger#NEVER}. An ABANDONED run pages as a FAILED one does: its process died, nobody
 * else will say that its records may be half done, and it is as rare as a crash; a job that is fine with that says
 * {@code never}. PARTIAL runs page as the trigger says. Immutable.
 *
 * @param parkedCount for {@link Trigger#PARKED_COUNT}: pages when more records than this are parked
 * @param parkedShare for {@link Trigger#PARKED_SHARE}: pages when more than this share of the run's records (0..1)
 *                    are parked
 */
public record RunPagePolicy(Trigger trigger, long parkedCount, double parkedShare) {
    public static final long DEFAULT_PARKED_COUNT = 0;
    public static final double DEFAULT_PARKED_SHARE = 0.01;

    /** What makes a PARTIAL run page. */
    public enum Trigger {
        /** Any parked record. */
        ANY_PARTIAL("any-partial"),
        /** More than {@code parkedCount} parked records. */
        PARKED_COUNT("parked-count"),
        /** More than {@code parkedShare} of the run's records parked. */
        PARKED_SHARE("parked-share"),
        /** No PARTIAL run pages; FAILED and ABANDONED ones do. */
        FAILED_ONLY("failed-only"),
        /** Nothing pages. */
        NEVER("never");

        private final String label;

        Trigger(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** By its label ("any-partial"), any case; empty when none has it. */
        public static Optional<Trigger> of(String label) {
            String l = label == null ? "" : label.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            return Arrays.stream(values()).filter(t -> t.label.equals(l)).findFirst();
        }
    }

    public static RunPagePolicy defaults() {
        return new RunPagePolicy(Trigger.ANY_PARTIAL, DEFAULT_PARKED_COUNT, DEFAULT_PARKED_SHARE);
    }

    public RunPagePolicy {
        Objects.requireNonNull(trigger, "trigger");
        if (parkedCount < 0) {
            throw new IllegalArgumentException("parkedCount must not be negative: " + parkedCount);
        }
        if (!(parkedShare >= 0 && parkedShare <= 1)) {
            throw new IllegalArgumentException("parkedShare must be between 0 and 1: " + parkedShare);
        }
    }

    /** Whether this ended run pages; a RUNNING run never does. */
    public boolean pages(JobRun run) {
        if (run.running() || run.outcome().isEmpty() || trigger == Trigger.NEVER) {
            return false;
        }
        RunCounts c = run.counts();
        return switch (run.outcome().get()) {
            case CLEAN, HEALED -> false;
            case FAILED, ABANDONED -> true;
            case PARTIAL -> switch (trigger) {
                case ANY_PARTIAL -> c.parked() > 0;
                case PARKED_COUNT -> c.parked() > parkedCount;
                case PARKED_SHARE -> c.records() == 0 ? c.parked() > 0 : (double) c.parked() / c.records() > parkedShare;
                case FAILED_ONLY, NEVER -> false;
            };
        };
    }
}
