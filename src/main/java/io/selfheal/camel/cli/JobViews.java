package io.selfheal.camel.cli;

import io.selfheal.config.Durations;
import io.selfheal.json.Json;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.runs.JobHealth;
import io.selfheal.runs.JobRun;
import io.selfheal.runs.JobSettings;
import io.selfheal.runs.RunCounts;
import io.selfheal.runs.RunOutcome;
import io.selfheal.runs.RunPage;
import io.selfheal.runs.UpstreamRunCounts;
import io.selfheal.runs.WindowStats;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.StringJoiner;

/**
 * What {@code jobs}, {@code jobs runs} and {@code jobs show} print, as text and as JSON: times in ISO form in the
 * job's time zone (selfheal.jobs.&lt;job&gt;.time-zone, UTC by default; JSON always in UTC), numbers with thousands
 * separators and durations as {@link Durations} writes them, as a page writes them.
 */
final class JobViews {
    private JobViews() {
    }

    /** One job as {@code jobs} lists it: its newest run, and how it did over the last day and week. */
    record JobSummary(String job, JobRun last, JobHealth day, JobHealth week, ZoneId zone) {
        boolean degrading() {
            return day.degrading() || week.degrading();
        }
    }

    // ---- jobs

    static String jobsTable(List<JobSummary> jobs, Instant now) {
        int width = Math.max(3, jobs.stream().mapToInt(j -> j.job().length()).max().orElse(3));
        String row = "%-" + width + "s  %-25s  %-9s  %9s  %8s  %8s  %7s  %8s  %7s  %9s%s%n";
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, row, "JOB", "LAST RUN (TRIGGER)", "OUTCOME",
                "RECORDS", "DURATION", "24H RUNS", "SUCCESS", "7D RUNS", "SUCCESS", "ATT/SUCC", "").stripTrailing())
                .append('\n');
        for (JobSummary j : jobs) {
            JobRun last = j.last();
            WindowStats day = j.day().current();
            WindowStats week = j.week().current();
            out.append(String.format(Locale.ROOT, row, j.job(), time(last.triggerTime(), j.zone()), outcome(last),
                    number(last.counts().records()), Durations.human(last.duration(now)), number(runs(day)),
                    share(day.successShare()), number(runs(week)), share(week.successShare()),
                    decimal(day.attemptsPerSuccess()), j.degrading() ? "  DEGRADING" : ""));
        }
        for (JobSummary j : jobs) {
            if (j.day().degrading()) {
                out.append(j.job()).append(", last 24h against the 24h before: ").append(j.day().verdict()).append('\n');
            }
            if (j.week().degrading()) {
                out.append(j.job()).append(", last 7d against the 7d before: ").append(j.week().verdict()).append('\n');
            }
        }
        return out.toString();
    }

    static String jobsJson(List<JobSummary> jobs, Instant now) {
        List<Object> out = new ArrayList<>();
        for (JobSummary j : jobs) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("job", j.job());
            one.put("lastRun", runJson(j.last(), now));
            one.put("last24h", healthJson(j.day()));
            one.put("last7d", healthJson(j.week()));
            one.put("degrading", j.degrading());
            out.add(one);
        }
        return Json.write(Map.of("jobs", out));
    }

    private static Map<String, Object> healthJson(JobHealth h) {
        WindowStats c = h.current();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runs", runs(c));
        out.put("running", c.running());
        Map<String, Object> byOutcome = new LinkedHashMap<>();
        c.runsByOutcome().forEach((o, n) -> byOutcome.put(o.name(), n));
        out.put("runsByOutcome", byOutcome);
        out.put("successShare", value(c.successShare()));
        out.put("attemptsPerSuccess", value(c.attemptsPerSuccess()));
        out.put("retriedShare", value(c.retriedShare()));
        out.put("successShareTrend", value(h.successShareTrend()));
        out.put("attemptsPerSuccessTrend", value(h.attemptsPerSuccessTrend()));
        out.put("retriedShareTrend", value(h.retriedShareTrend()));
        out.put("degrading", h.degrading());
        out.put("verdict", h.verdict());
        return out;
    }

    // ---- jobs runs

    static String runsTable(List<JobRun> runs, ZoneId zone, Instant now) {
        String row = "%-36s  %-25s  %-25s  %8s  %-9s  %9s  %9s  %9s  %9s  %s%n";
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, row, "RUN", "TRIGGER", "STARTED", "DURATION",
                "OUTCOME", "RECORDS", "FIRST TRY", "RETRIED", "REPLAYED", "PARKED"));
        for (JobRun r : runs) {
            RunCounts c = r.counts();
            out.append(String.format(Locale.ROOT, row, r.runId(), time(r.triggerTime(), zone), time(r.started(), zone),
                    Durations.human(r.duration(now)), outcome(r), number(c.records()), number(c.deliveredFirstTry()),
                    number(c.deliveredAfterRetries()), number(c.deliveredLater()), parked(c)));
        }
        return out.toString();
    }

    static String runsJson(String job, List<JobRun> runs, Instant now) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("job", job);
        out.put("runs", runs.stream().map(r -> (Object) runJson(r, now)).toList());
        return Json.write(out);
    }

    // ---- jobs show

    /** Everything recorded for one run, the page it sends (or why none), and where its parked records are. */
    static String show(JobRun run, JobSettings settings, Instant now) {
        ZoneId zone = settings.timeZone();
        RunCounts c = run.counts();
        StringBuilder out = new StringBuilder();
        out.append("Run ").append(run.runId()).append(" of job ").append(run.job()).append('\n');
        line(out, "outcome", outcome(run));
        line(out, "trigger", time(run.triggerTime(), zone));
        line(out, "started", time(run.started(), zone));
        line(out, "ended", run.ended().map(t -> time(t, zone)).orElse("still running"));
        line(out, "duration", Durations.human(run.duration(now)) + (run.running() ? " so far" : ""));
        line(out, "instance", run.instanceId());
        line(out, "run attempts", number(run.attempts()) + (run.attempts() > 1 ? " (started again as a whole)" : ""));
        line(out, "heartbeat", time(run.heartbeat(), zone));
        run.failure().ifPresent(f -> line(out, "failure", f));

        out.append("Records\n");
        line(out, "records", number(c.records()));
        line(out, "first try", number(c.deliveredFirstTry()));
        line(out, "after retries", number(c.deliveredAfterRetries()));
        line(out, "by replay", number(c.deliveredLater()));
        line(out, "parked", parked(c));
        line(out, "needed retries", number(c.neededRetries()));
        if (c.parked() > 0) {
            line(out, "parked, at most", number(c.maxParkedAttempts()) + " attempts over "
                    + Durations.human(c.longestParkedElapsed()));
        }

        out.append("Upstreams\n");
        if (c.upstreams().isEmpty()) {
            out.append("  none called\n");
        }
        c.upstreams().forEach((name, u) -> {
            String seen = u.parkedFailures().isEmpty() ? "" : "; parked records saw: " + failures(u);
            line(out, name, number(u.calls()) + " calls, " + number(u.retries()) + " retries" + seen);
        });

        out.append("Waits\n");
        if (c.waited().isEmpty()) {
            out.append("  none\n");
        }
        c.waited().forEach((source, d) -> line(out, source.label(), Durations.human(d)));

        out.append("Page\n  ").append(page(run, settings)).append('\n');
        out.append("Parked records\n");
        parkedRecords(run, zone).forEach(l -> out.append("  ").append(l).append('\n'));
        return out.toString();
    }

    static String showJson(JobRun run, JobSettings settings, Instant now) {
        Map<String, Object> out = runJson(run, now);
        Optional<RunPage> page = RunPage.of(run, settings.pagePolicy(), settings.timeZone(), settings.runbook());
        out.put("page", page.map(RunPage::text).orElse(null));
        out.put("noPage", page.isPresent() ? null : page(run, settings));
        out.put("parkedList", parkedListCommands(run.counts()));
        return Json.write(out);
    }

    /** The page text this run sends under its job's settings, or why it sends none. */
    static String page(JobRun run, JobSettings settings) {
        if (run.running()) {
            return "none while the run is running";
        }
        if (!settings.enabled()) {
            return "none: selfheal.jobs." + run.job() + ".enabled is false";
        }
        Optional<RunPage> page = RunPage.of(run, settings.pagePolicy(), settings.timeZone(), settings.runbook());
        if (page.isPresent()) {
            return page.get().text();
        }
        if (run.outcome().map(RunOutcome::succeeded).orElse(false)) {
            return "none: nothing is missing (a CLEAN or HEALED run never pages)";
        }
        return "none under the job's page policy (page=" + settings.pagePolicy().trigger().label() + ")";
    }

    /**
     * Where the run's parked records are: the parked view filters by status and upstream, not by run, so the commands
     * that list them, and the time span they were parked in.
     */
    private static List<String> parkedRecords(JobRun run, ZoneId zone) {
        RunCounts c = run.counts();
        List<String> out = new ArrayList<>();
        if (c.parked() == 0) {
            out.add("none parked" + (c.deliveredLater() > 0 ? "; " + number(c.deliveredLater())
                    + " delivered later by replay (parked list --status REPLAYED)" : ""));
            return out;
        }
        out.add(number(c.parked()) + " still parked; the parked view lists by status and upstream, not by run: "
                + "this run's are those parked from " + time(run.started(), zone) + " to "
                + run.ended().map(t -> time(t, zone)).orElse("now") + " among");
        parkedListCommands(c).forEach(cmd -> out.add("  " + cmd));
        return out;
    }

    private static List<String> parkedListCommands(RunCounts c) {
        if (c.parked() == 0) {
            return List.of();
        }
        List<String> upstreams = c.upstreams().entrySet().stream().filter(e -> !e.getValue().parkedFailures().isEmpty())
                .map(Map.Entry::getKey).toList();
        return upstreams.isEmpty() ? List.of("parked list --status PARKED")
                : upstreams.stream().map(u -> "parked list --status PARKED --upstream " + u).toList();
    }

    // ---- shared

    static Map<String, Object> runJson(JobRun r, Instant now) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("job", r.job());
        out.put("runId", r.runId());
        out.put("instance", r.instanceId());
        out.put("state", r.state().name());
        out.put("outcome", r.outcome().map(Enum::name).orElse(null));
        out.put("triggerTime", utc(r.triggerTime()));
        out.put("started", utc(r.started()));
        out.put("ended", r.ended().map(JobViews::utc).orElse(null));
        out.put("durationMillis", r.duration(now).toMillis());
        out.put("attempts", r.attempts());
        out.put("heartbeat", utc(r.heartbeat()));
        out.put("failure", r.failure().orElse(null));
        out.put("counts", Json.readObject(r.counts().toJson()));
        return out;
    }

    /** An instant in the zone, to the second: 2026-12-03T02:00:00Z, 2026-12-03T03:00:00+01:00. */
    static String time(Instant t, ZoneId zone) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.truncatedTo(ChronoUnit.SECONDS).atZone(zone));
    }

    private static String utc(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String outcome(JobRun r) {
        return r.outcome().map(Enum::name).orElse(r.state().name());
    }

    /** "3 (ATTEMPTS 2, PERMANENT 1)", or "0". */
    static String parked(RunCounts c) {
        if (c.parked() == 0) {
            return "0";
        }
        StringJoiner by = new StringJoiner(", ", " (", ")");
        for (Map.Entry<GiveUpReason, Long> e : c.parkedByReason().entrySet()) {
            by.add(e.getKey().name() + " " + number(e.getValue()));
        }
        return number(c.parked()) + by;
    }

    private static String failures(UpstreamRunCounts u) {
        StringJoiner seen = new StringJoiner(", ");
        u.parkedFailures().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> seen.add(e.getKey() + " (" + number(e.getValue()) + ")"));
        return seen.toString();
    }

    private static long runs(WindowStats w) {
        return w.ended() + w.running();
    }

    private static void line(StringBuilder out, String name, String value) {
        out.append(String.format(Locale.ROOT, "  %-16s %s%n", name, value));
    }

    /** 5000 as "5,000", as a page writes it. */
    static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String share(OptionalDouble share) {
        return share.isPresent() ? String.format(Locale.ROOT, "%.0f%%", share.getAsDouble() * 100) : "-";
    }

    private static String decimal(OptionalDouble d) {
        return d.isPresent() ? String.format(Locale.ROOT, "%.2f", d.getAsDouble()) : "-";
    }

    private static Double value(OptionalDouble d) {
        return d.isPresent() ? d.getAsDouble() : null;
    }
}
