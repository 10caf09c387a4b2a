package io.selfheal.runs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How one job has been doing over a window (the last 24 hours, the last 7 days) and against the window of the same
 * length before it, so a job that still succeeds but needs more and more retries shows before it fails: "succeeds on
 * the seventh retry every time" is a 100 % success share, and degrading. A run belongs to the window its start falls
 * in. Immutable.
 * <p>
 * <b>Degrading</b>, when the current window has deliveries and either
 * <ul>
 *     <li>attempts per success rose to at least {@value #ATTEMPTS_RATIO} times the previous window's and by at least
 *     {@value #ATTEMPTS_RISE} (so 1.0 to 1.1 is noise, 1.0 to 1.6 is not), or</li>
 *     <li>the share of records that needed retries rose by at least {@value #RETRIED_SHARE_RISE} (ten percentage
 *     points).</li>
 * </ul>
 * A previous window without deliveries (a new job, a job that did not run) compares against a clean job's: 1 attempt
 * per success, no record retried.
 *
 * @param current  the window that ends now
 * @param previous the window of the same length before it
 */
public record JobHealth(String job, Duration window, Instant asOf, WindowStats current, WindowStats previous) {
    public static final Duration DAY = Duration.ofHours(24);
    public static final Duration WEEK = Duration.ofDays(7);
    public static final double ATTEMPTS_RATIO = 1.5;
    public static final double ATTEMPTS_RISE = 0.5;
    public static final double RETRIED_SHARE_RISE = 0.10;

    public JobHealth {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(asOf, "asOf");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(previous, "previous");
    }

    /**
     * The health of {@code job} over the {@code window} that ends at the clock's now, from {@code runs} (its runs of
     * at least the last two windows; other jobs' runs are left out).
     */
    public static JobHealth of(String job, List<JobRun> runs, Clock clock, Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a health window must be positive: " + window);
        }
        Instant now = clock.instant();
        Instant currentStart = now.minus(window);
        Instant previousStart = currentStart.minus(window);
        List<JobRun> mine = runs.stream().filter(r -> r.job().equals(job)).toList();
        return new JobHealth(job, window, now,
                WindowStats.of(mine.stream().filter(r -> in(r, currentStart, now)).toList()),
                WindowStats.of(mine.stream().filter(r -> in(r, previousStart, currentStart)).toList()));
    }

    /** The last 24 hours against the 24 before. */
    public static JobHealth lastDay(String job, List<JobRun> runs, Clock clock) {
        return of(job, runs, clock, DAY);
    }

    /** The last 7 days against the 7 before. */
    public static JobHealth lastWeek(String job, List<JobRun> runs, Clock clock) {
        return of(job, runs, clock, WEEK);
    }

    private static boolean in(JobRun run, Instant from, Instant until) {
        return !run.started().isBefore(from) && run.started().isBefore(until);
    }

    /** Current minus previous success share; empty unless both windows have ended runs. */
    public OptionalDouble successShareTrend() {
        return difference(current.successShare(), previous.successShare());
    }

    /** Current minus previous attempts per success (a previous window without deliveries counts as 1). */
    public OptionalDouble attemptsPerSuccessTrend() {
        return difference(current.attemptsPerSuccess(), OptionalDouble.of(previousAttemptsPerSuccess()));
    }

    /** Current minus previous share of records that needed retries (a previous window without records counts as 0). */
    public OptionalDouble retriedShareTrend() {
        return difference(current.retriedShare(), OptionalDouble.of(previousRetriedShare()));
    }

    public boolean degrading() {
        OptionalDouble attempts = current.attemptsPerSuccess();
        boolean moreAttempts = attempts.isPresent()
                && attempts.getAsDouble() >= previousAttemptsPerSuccess() * ATTEMPTS_RATIO
                && attempts.getAsDouble() - previousAttemptsPerSuccess() >= ATTEMPTS_RISE;
        OptionalDouble retried = current.retriedShare();
        boolean moreRetried = current.delivered() > 0 && retried.isPresent()
                && retried.getAsDouble() - previousRetriedShare() >= RETRIED_SHARE_RISE - 1e-9;
        return moreAttempts || moreRetried;
    }

    /** One line: "degrading: 8.00 attempts per success (was 1.00), 100% of records retried (was 0%)", or "steady". */
    public String verdict() {
        String attempts = current.attemptsPerSuccess().isPresent()
                ? String.format(Locale.ROOT, "%.2f attempts per success (was %.2f)",
                current.attemptsPerSuccess().getAsDouble(), previousAttemptsPerSuccess())
                : "no attempts counted";
        String retried = current.retriedShare().isPresent()
                ? String.format(Locale.ROOT, "%.0f%% of records retried (was %.0f%%)",
                current.retriedShare().getAsDouble() * 100, previousRetriedShare() * 100)
                : "no records";
        return (degrading() ? "degrading: " : "steady: ") + attempts + ", " + retried;
    }

    private double previousAttemptsPerSuccess() {
        return previous.attemptsPerSuccess().orElse(1.0);
    }

    private double previousRetriedShare() {
        return previous.retriedShare().orElse(0.0);
    }

    private static OptionalDouble difference(OptionalDouble a, OptionalDouble b) {
        return a.isPresent() && b.isPresent() ? OptionalDouble.of(a.getAsDouble() - b.getAsDouble()) : OptionalDouble.empty();
    }
}
