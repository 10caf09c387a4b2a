package io.selfheal.bench.faults;

import io.selfheal.camel.Selfheal;

import io.selfheal.bench.BenchReport;
import io.selfheal.bench.Machine;
import io.selfheal.bench.SelfhealContender;
import io.selfheal.bench.Table;
import io.selfheal.testing.RateLimitedUpstream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.selfheal.bench.faults.FaultScheduleBenchmark.goal;
import static io.selfheal.bench.faults.FaultScheduleBenchmark.ms;
import static io.selfheal.bench.faults.FaultScheduleBenchmark.seconds;

/**
 * Benchmark 3, rate-limit schedules: every contender of the fault schedule, configured the same way, against a real
 * global rate limiter ({@link RateLimitedUpstream}, a fresh one per contender), as {@link RateLimitSchedule} shapes
 * it. Prints the table with the theoretical best (N / R) beside it and the goals of issue 12 for the Selfheal row.
 */
final class RateLimitBenchmark {
    /** The goal's "within a few seconds" for the changing limit, in whole 1 s buckets. */
    static final int FOLLOW_SECONDS = 5;
    /** The window of the densest-arrivals figure: a herd released at once shows here. */
    static final Duration HERD_WINDOW = Duration.ofMillis(50);

    private RateLimitBenchmark() {
    }

    record Row(String name, String configuration, String afterRun, int delivered, int failed, int open, int calls,
               int throttled, int earlyCalls, int densest, long wallMs, RateTimeline timeline,
               SelfhealFaults.OpenTime breakerOpen, Map<String, Integer> giveUps) {
        double throttledShare() {
            return calls == 0 ? 0 : (double) throttled / calls;
        }
    }

    private static boolean warm;

    /** Says the JVM is warm already (the fault schedule ran in it before), so {@link #warmUp()} is not needed. */
    static void warmedUp() {
        warm = true;
    }

    static void publish(RateLimitSchedule schedule) throws Exception {
        warmUp();
        Machine machine = Machine.watch();
        List<Row> rows = new ArrayList<>();
        for (FaultContender c : FaultScheduleBenchmark.contenders()) {
            rows.add(run(c, schedule));
        }
        String command = FaultScheduleBenchmark.COMMAND
                + (FaultScheduleBenchmark.SCHEDULE.equals("all") ? "" : " -Dbench.schedule=" + FaultScheduleBenchmark.SCHEDULE);
        BenchReport.publish(schedule.section(), report(schedule, rows), machine.describe(command));
    }

    /**
     * Once per JVM, before anything is measured: every contender delivers a few messages to an upstream without a
     * limit, so the first contender measured does not pay alone for loading and compiling the HTTP clients' and
     * Camel's code (about 2 s on a busy 2-core machine, 8 % of the theoretical best).
     */
    static void warmUp() throws Exception {
        if (warm) {
            return;
        }
        warm = true;
        int messages = 100;
        List<Integer> ids = IntStream.range(0, messages).boxed().toList();
        for (FaultContender c : FaultScheduleBenchmark.contenders()) {
            Recorder recorder = new Recorder(messages);
            try (RateLimitedUpstream upstream = new RateLimitedUpstream(1_000_000, 1_000_000); c) {
                c.start(upstream.port(), RateLimitSchedule.globalLimit().workers(), recorder);
                c.submitAll(ids);
                recorder.await(30);
            }
        }
    }

    static Row run(FaultContender c, RateLimitSchedule s) throws Exception {
        System.out.println("running " + c.name() + " against the " + s.name() + " ...");
        Recorder recorder = new Recorder(s.messages());
        ScheduledExecutorService changes = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rate-change");
            t.setDaemon(true);
            return t;
        });
        List<Integer> ids = IntStream.range(0, s.messages()).boxed().toList();
        try (RateLimitedUpstream upstream = new RateLimitedUpstream(s.rate(), s.burst(),
                Duration.ofMillis(RateLimitSchedule.SERVICE_MS), 16); c) {
            c.start(upstream.port(), s.workers(), recorder);
            upstream.reset();
            long t0 = upstream.origin();
            if (s.changes()) {
                changes.schedule(() -> upstream.setRate((double) s.rate() / s.factor()),
                        t0 + TimeUnit.MILLISECONDS.toNanos(s.changeAtMs()) - System.nanoTime(), TimeUnit.NANOSECONDS);
                changes.schedule(() -> upstream.setRate(s.rate()),
                        t0 + TimeUnit.MILLISECONDS.toNanos(s.changeEndMs()) - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
            c.submitAll(ids);
            long submitted = System.nanoTime();
            boolean finished = FaultScheduleBenchmark.awaitWithProgress(recorder, t0, s.timeoutSeconds());
            long end = finished ? recorder.lastFinished() : System.nanoTime();
            int failed = s.messages() - recorder.delivered() - recorder.open();
            SelfhealFaults.OpenTime breakerOpen = c instanceof SelfhealFaults sh ? sh.openBetween(t0, end) : null;
            Map<String, Integer> giveUps = c instanceof SelfhealFaults sh ? sh.giveUps() : Map.of();
            Row row = new Row(c.name(), c.configuration(), c.afterRun(), recorder.delivered(), failed, recorder.open(),
                    upstream.calls(), upstream.throttled(), upstream.earlyCalls(), upstream.maxArrivalsWithin(HERD_WINDOW),
                    ms(end - t0), new RateTimeline(upstream.arrivalsPerSecond(), upstream.acceptedPerSecond()),
                    breakerOpen, giveUps);
            List<RateLimitedUpstream.Call> journal = upstream.journal();
            System.out.printf("  delivered %d, gave up %d, unfinished %d, calls %d, 429s %d, early %d (by up to %d ms), densest %d ms: %d, "
                            + "submitted in %d ms, first call after %d ms, wall %d ms%n",
                    row.delivered(), row.failed(), row.open(), row.calls(), row.throttled(), row.earlyCalls(),
                    ms(earliestBy(journal)), HERD_WINDOW.toMillis(), row.densest(), ms(submitted - t0), journal.isEmpty() ? -1 : ms(journal.get(0).arrivalNanos() - t0),
                    row.wallMs());
            return row;
        } finally {
            changes.shutdownNow();
        }
    }

    /** How much earlier than its Retry-After allowed the earliest early call came, in nanoseconds (0: none). */
    static long earliestBy(List<RateLimitedUpstream.Call> journal) {
        Map<String, Long> allowedFrom = new java.util.HashMap<>();
        long by = 0;
        for (RateLimitedUpstream.Call c : journal) {
            Long allowed = allowedFrom.get(c.id());
            if (allowed != null && c.arrivalNanos() < allowed) {
                by = Math.max(by, allowed - c.arrivalNanos());
            }
            if (c.status() == 429) {
                allowedFrom.merge(c.id(), c.answeredNanos() + TimeUnit.SECONDS.toNanos(RateLimitedUpstream.RETRY_AFTER_SECONDS), Math::max);
            }
        }
        return by;
    }

    static String report(RateLimitSchedule s, List<Row> rows) {
        long best = s.theoreticalBestMillis();
        List<String> header = new ArrayList<>(List.of("contender", "delivered", "give-ups", "calls before Retry-After",
                "calls", "429s (share of calls)", "densest " + HERD_WINDOW.toMillis() + " ms", "wall time",
                "wall ÷ best"));
        if (s.changes()) {
            header.addAll(List.of("calls/s settled after the halving / the restore",
                    "accepted/s settled after the halving / the restore"));
        }
        Table t = new Table(header.toArray(String[]::new));
        for (Row r : rows) {
            List<Object> cells = new ArrayList<>(List.of(
                    r.name() + (r.open() > 0 ? " (" + r.open() + " unfinished after " + s.timeoutSeconds() + " s)" : ""),
                    r.delivered(), r.failed(), r.earlyCalls(), r.calls(),
                    r.throttled() + " (" + percent(r.throttledShare()) + ")", r.densest(), seconds(r.wallMs()),
                    Table.num((double) r.wallMs() / best, 2) + " ×" + (r.delivered() < s.messages() ? " †" : "")));
            if (s.changes()) {
                cells.add(settled(r, s, false, true) + " / " + settled(r, s, false, false));
                cells.add(settled(r, s, true, true) + " / " + settled(r, s, true, false));
            }
            t.row(cells.toArray());
        }
        List<Object> oracle = new ArrayList<>(List.of("**theoretical best**", s.messages(), 0, 0, s.messages(),
                "0 (0 %)", "", seconds(best), "1.00 ×"));
        if (s.changes()) {
            oracle.addAll(List.of("0 s / 0 s", "0 s / 0 s"));
        }
        t.row(oracle.toArray());

        StringBuilder b = new StringBuilder();
        b.append(t).append('\n');
        if (rows.stream().anyMatch(r -> r.delivered() < s.messages())) {
            b.append("†: messages not delivered within the run shorten it: that wall time is not like for like with the "
                    + "best, which delivers them all.\n\n");
        }
        if (!rows.isEmpty() && rows.get(0).breakerOpen() != null) {
            b.append(goals(s, rows.get(0), best)).append('\n');
        }
        if (s.changes()) {
            b.append("Per second at the upstream, 1 s buckets from the start (the limit ").append(s.rate())
                    .append(", ").append(s.rate() / s.factor()).append(" in seconds ").append(s.changeAtMs() / 1000)
                    .append("–").append(s.changeEndMs() / 1000 - 1).append("), accepted calls | all calls:\n\n```\n");
            for (Row r : rows) {
                b.append(r.name()).append('\n')
                        .append("  accepted: ").append(r.timeline().render(true)).append('\n')
                        .append("  calls:    ").append(r.timeline().render(false)).append('\n');
            }
            b.append("```\n\n");
        }
        b.append("Schedule: ").append(s.describe()).append(" The theoretical best: the limit admits every message, "
                + "each call made exactly when a token is there (").append(s.changes() ? "the limit's integral reaches N"
                : "N / R").append("; the burst's head start left out).\n\n");
        b.append("Measured at the upstream (its journal): *calls before Retry-After* = calls for a message arriving "
                + "before the instant a 429 the upstream sent for that message allowed (the 429's send time + 1 s); "
                + "*densest " + HERD_WINDOW.toMillis() + " ms* = the most calls that arrived within any "
                + HERD_WINDOW.toMillis() + " ms (at " + s.rate() + "/s the limit admits 2 plus the burst of "
                + s.burst() + "); *give-ups* = messages that ended undelivered within the run; wall time from the "
                + "batch's submission to the last message settled, cut off at " + s.timeoutSeconds() + " s.");
        if (s.changes()) {
            b.append(" *Settled*: whole seconds from a change to the first 1 s bucket whose rate is within "
                    + percent(RateTimeline.BAND) + " of the new limit and stays there the next second (the bucket of the "
                    + "run's last call left out; — : not within the run). A contender that never sent near the full limit "
                    + "is within the halved one at once: read the settling with the timeline.");
        }
        b.append(" Delays of every contender ÷ ").append(FaultSchedule.SCALE).append(" as in the fault schedule; "
                + "`Retry-After: 1` cannot be scaled.\n\n");
        b.append("Contenders (configured as for the fault schedule, with ").append(s.workers()).append(" workers):\n");
        for (Row r : rows) {
            b.append("- ").append(r.name()).append(": ").append(r.configuration())
                    .append(r.afterRun().isEmpty() ? "" : "; " + r.afterRun()).append('\n');
        }
        return b.toString();
    }

    static String goals(RateLimitSchedule s, Row sh, long best) {
        List<String> lines = new ArrayList<>();
        String why = whySelfheal(sh);
        if (s.changes()) {
            lines.add(goal("nothing gives up, every message delivered", sh.failed() == 0 && sh.delivered() == s.messages(),
                    sh.delivered() + " of " + s.messages() + " delivered, " + sh.failed() + " give-ups", why));
            double low = (double) s.rate() / s.factor();
            lines.add(follows("the send rate follows the halving to " + Table.num(low, 0) + "/s", sh, s, true));
            lines.add(follows("the send rate follows the restore to " + s.rate() + "/s", sh, s, false));
        } else {
            lines.add(goal("every message delivered", sh.delivered() == s.messages(),
                    sh.delivered() + " of " + s.messages(), why));
            lines.add(goal("0 give-ups", sh.failed() == 0, sh.failed() + " give-ups", why));
            lines.add(goal("0 calls before a Retry-After allowed", sh.earlyCalls() == 0, sh.earlyCalls() + " early",
                    "calls came before the stated instant"));
            lines.add(goal("429s ≤ 10 % of all calls", sh.throttledShare() <= 0.10,
                    sh.throttled() + " of " + sh.calls() + " = " + percent(sh.throttledShare()),
                    "the densest " + HERD_WINDOW.toMillis() + " ms held " + sh.densest() + " calls against the limit's "
                            + (2 + s.burst()) + "; " + breaker(sh)));
            double ratio = (double) sh.wallMs() / best;
            lines.add(goal("wall time ≤ 1.25 × N / R (" + seconds(best) + ")", ratio <= 1.25 && sh.open() == 0,
                    Table.num(ratio, 2) + " ×", sh.open() > 0 ? sh.open() + " messages unfinished at the cut-off" : why));
        }
        return "Goals for the Selfheal row (" + SelfhealContender.describe() + ", " + s.workers() + " consumers):\n"
                + String.join("\n", lines) + "\n";
    }

    private static String follows(String what, Row sh, RateLimitSchedule s, boolean halving) {
        OptionalInt after = sendSettled(sh, s, halving);
        return goal(what + " within a few seconds (≤ " + FOLLOW_SECONDS + " s)",
                after.isPresent() && after.getAsInt() <= FOLLOW_SECONDS,
                after.isPresent() ? "calls/s within " + percent(RateTimeline.BAND) + " after " + after.getAsInt() + " s"
                        : "calls/s never within " + percent(RateTimeline.BAND) + " of it",
                "see the calls per second above; " + breaker(sh));
    }

    private static OptionalInt sendSettled(Row r, RateLimitSchedule s, boolean halving) {
        return halving
                ? r.timeline().settledAfter(false, s.changeAtMs(), s.changeEndMs(), (double) s.rate() / s.factor())
                : r.timeline().settledAfter(false, s.changeEndMs(), Long.MAX_VALUE, s.rate());
    }

    private static String settled(Row r, RateLimitSchedule s, boolean acceptedOnly, boolean halving) {
        OptionalInt after = halving
                ? r.timeline().settledAfter(acceptedOnly, s.changeAtMs(), s.changeEndMs(), (double) s.rate() / s.factor())
                : r.timeline().settledAfter(acceptedOnly, s.changeEndMs(), Long.MAX_VALUE, s.rate());
        return after.isPresent() ? after.getAsInt() + " s" : "—";
    }

    /** What the run recorded of Selfheal's give-ups and breaker, for a missed goal. */
    private static String whySelfheal(Row sh) {
        return "gave up by reason " + sh.giveUps() + "; " + breaker(sh);
    }

    private static String breaker(Row sh) {
        if (sh.breakerOpen() == null || sh.wallMs() == 0) {
            return "";
        }
        return "the breaker was open " + percent((double) ms(sh.breakerOpen().nanos()) / sh.wallMs()) + " of the run ("
                + sh.breakerOpen().openings() + " openings)";
    }

    static String percent(double share) {
        return Table.num(100 * share, 1) + " %";
    }
}
