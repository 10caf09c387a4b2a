package io.selfheal.runs;

import io.selfheal.config.Durations;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The page of one run that needs a human: one sentence an on-call engineer can act on, such as "Job inventory-sync,
 * run of 02:00: 3 of 5,000 records parked after retrying 8 times over 4m12s; all attempts returned 500 from
 * inventory-service (runbook: https://runbooks.example/inventory-sync)". The run is named by its trigger time in the
 * job's time zone (minutes, seconds only when the trigger had them); numbers have thousands separators; durations
 * read as {@link Durations} writes them. Immutable.
 */
public record RunPage(String job, String runId, RunOutcome outcome, String text) {
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    public RunPage {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(text, "text");
    }

    /** The page of {@code run} if {@code policy} says it pages; empty otherwise. */
    public static Optional<RunPage> of(JobRun run, RunPagePolicy policy, ZoneId zone, Optional<String> runbook) {
        if (!policy.pages(run)) {
            return Optional.empty();
        }
        return Optional.of(new RunPage(run.job(), run.runId(), run.outcome().orElseThrow(), text(run, zone, runbook)));
    }

    /** The sentence for an ended PARTIAL, FAILED or ABANDONED run (a CLEAN or HEALED one is said as nothing missing). */
    public static String text(JobRun run, ZoneId zone, Optional<String> runbook) {
        RunCounts c = run.counts();
        String head = "Job " + run.job() + ", run of " + time(run, zone);
        String body = switch (run.outcome().orElse(RunOutcome.PARTIAL)) {
            case PARTIAL -> head + ": " + parkedPart(c) + failureSummary(c);
            case FAILED -> head + " failed" + (run.attempts() > 1 ? " after " + run.attempts() + " attempts of the whole run" : "")
                    + ": " + run.failure().orElse("no reason recorded")
                    + (c.parked() > 0 ? "; " + parkedPart(c) + failureSummary(c) : "");
            case ABANDONED -> head + " was abandoned: " + run.failure().orElse("its process stopped")
                    + (c.records() > 0 ? "; " + number(c.delivered()) + " of " + records(c.records())
                    + " delivered before it stopped" : "");
            case CLEAN, HEALED -> head + ": " + number(c.delivered()) + " of " + records(c.records())
                    + " delivered, nothing missing";
        };
        return body + runbook.filter(r -> !r.isBlank()).map(r -> " (runbook: " + r + ")").orElse("");
    }

    private static String parkedPart(RunCounts c) {
        String parked = number(c.parked()) + " of " + records(c.records()) + " parked";
        return c.maxParkedAttempts() > 1
                ? parked + " after retrying " + number(c.maxParkedAttempts()) + " times over "
                + Durations.human(c.longestParkedElapsed())
                : parked + " without a retry";
    }

    private static String failureSummary(RunCounts c) {
        // the upstream most of the parked records' attempts failed at first
        StringJoiner out = new StringJoiner("; ", "; ", "").setEmptyValue("");
        c.upstreams().entrySet().stream()
                .filter(e -> e.getValue().parkedFailedAttempts() > 0)
                .sorted(Comparator.comparing((Map.Entry<String, UpstreamRunCounts> e) -> e.getValue().parkedFailedAttempts())
                        .reversed().thenComparing(Map.Entry::getKey))
                .forEach(e -> out.add(e.getValue().failureSummary(e.getKey())));
        return out.toString();
    }

    private static String records(long n) {
        return number(n) + (n == 1 ? " record" : " records");
    }

    private static String time(JobRun run, ZoneId zone) {
        ZonedDateTime t = run.triggerTime().atZone(zone);
        return (t.getSecond() == 0 && t.getNano() == 0 ? MINUTES : SECONDS).format(t);
    }

    /** 5000 as "5,000". */
    static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
