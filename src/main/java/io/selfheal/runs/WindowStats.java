package io.selfheal.runs;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a job's ended runs in one window add up to. Immutable.
 *
 * @param runsByOutcome ended runs, by outcome (outcomes with none are absent)
 * @param running       runs still RUNNING (not in any share)
 * @param records       records of the ended runs
 * @param delivered     of them delivered (first try, after retries, or later by replay)
 * @param parked        of them still parked
 * @param neededRetries of them that needed more than their first attempt
 * @param calls         calls to upstreams by the ended runs
 */
public record WindowStats(Map<RunOutcome, Long> runsByOutcome, long running, long records, long delivered,
                          long parked, long neededRetries, long calls) {
    public WindowStats {
        EnumMap<RunOutcome, Long> m = new EnumMap<>(RunOutcome.class);
        m.putAll(runsByOutcome);
        runsByOutcome = Collections.unmodifiableMap(m);
    }

    /** Adds up the ended runs among {@code runs} (the caller chose the window). */
    public static WindowStats of(Collection<JobRun> runs) {
        Map<RunOutcome, Long> byOutcome = new EnumMap<>(RunOutcome.class);
        long running = 0;
        long records = 0;
        long delivered = 0;
        long parked = 0;
        long retried = 0;
        long calls = 0;
        for (JobRun run : runs) {
            if (run.running() || run.outcome().isEmpty()) {
                running++;
                continue;
            }
            byOutcome.merge(run.outcome().get(), 1L, Long::sum);
            RunCounts c = run.counts();
            records += c.records();
            delivered += c.delivered();
            parked += c.parked();
            retried += c.neededRetries();
            calls += c.calls();
        }
        return new WindowStats(byOutcome, running, records, delivered, parked, retried, calls);
    }

    public long ended() {
        return runsByOutcome.values().stream().mapToLong(Long::longValue).sum();
    }

    public long runs(RunOutcome outcome) {
        return runsByOutcome.getOrDefault(outcome, 0L);
    }

    /** CLEAN and HEALED runs among the ended ones; empty when none ended. */
    public OptionalDouble successShare() {
        long ended = ended();
        return ended == 0 ? OptionalDouble.empty()
                : OptionalDouble.of((double) (runs(RunOutcome.CLEAN) + runs(RunOutcome.HEALED)) / ended);
    }

    /** Records that needed more than their first attempt, of those delivered or parked; empty when there were none. */
    public OptionalDouble retriedShare() {
        long handled = delivered + parked;
        return handled == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) neededRetries / handled);
    }

    /** Calls per delivered record; empty when nothing was delivered or no call was counted. */
    public OptionalDouble attemptsPerSuccess() {
        return delivered == 0 || calls == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) calls / delivered);
    }
}
