package io.selfheal.bench.faults;

import io.selfheal.camel.Selfheal;

import io.selfheal.bench.BenchReport;
import io.selfheal.bench.Machine;
import io.selfheal.bench.SelfhealContender;
import io.selfheal.bench.Table;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 3: the seeded {@link FaultSchedule} against a real local HTTP upstream ({@link FlakyHttpUpstream}), one
 * contender after another, each as its own documentation recommends, all with delays ÷ {@link FaultSchedule#SCALE}.
 * Prints the table with the theoretical best beside it, and the goals of issue 7 for the Selfheal row. The same
 * contenders then meet a global rate limit and a limit that changes mid-run ({@link RateLimitBenchmark}).
 * {@code -Dbench.schedule=faults|ratelimit|changing|all} (default all) runs one of them alone.
 */
public final class FaultScheduleBenchmark {
    static final String COMMAND = "mvn -B -q -Pbench test-compile exec:exec@faults";
    static final int MESSAGES = Integer.getInteger("bench.messages", 2000);
    static final long SEED = Long.getLong("bench.seed", 7L);
    static final long TIMEOUT_SECONDS = Long.getLong("bench.timeout", 300L);
    /** One probe: a call's service time with room for the client's scheduling. */
    static final long PROBE_MS = FaultSchedule.SERVICE_MS + 90;
    static final String SCHEDULE = System.getProperty("bench.schedule", "all").trim().toLowerCase(java.util.Locale.ROOT);

    private FaultScheduleBenchmark() {
    }

    record Row(String name, String configuration, int delivered, int open, FlakyHttpUpstream.Counts counts,
               long firstSuccessAfterOutageMs, long drainedAfterOutageMs, long wallMs, double halfSettledMs,
               double p50, double p99,
               int baselineThreads, int peakThreads, String afterRun, long outageEndNanos) {
        double amplification() {
            return counts.outageMessages() == 0 ? Double.NaN : (double) counts.outageCalls() / counts.outageMessages();
        }
    }

    public static void main(String[] args) throws Exception {
        if (!List.of("all", "faults", "ratelimit", "changing").contains(SCHEDULE)) {
            throw new IllegalArgumentException("bench.schedule must be faults, ratelimit, changing or all: " + SCHEDULE);
        }
        if (SCHEDULE.equals("all") || SCHEDULE.equals("faults")) {
            runFaultSchedule();
        }
        if (SCHEDULE.equals("all") || SCHEDULE.equals("ratelimit")) {
            RateLimitBenchmark.publish(RateLimitSchedule.globalLimit());
        }
        if (SCHEDULE.equals("all") || SCHEDULE.equals("changing")) {
            RateLimitBenchmark.publish(RateLimitSchedule.changingLimit());
        }
    }

    static void runFaultSchedule() throws Exception {
        Machine machine = Machine.watch();
        FaultSchedule schedule = new FaultSchedule(SEED, MESSAGES);
        List<FaultContender> contenders = contenders();
        List<Row> rows = new ArrayList<>();
        try (FlakyHttpUpstream upstream = new FlakyHttpUpstream(schedule)) {
            for (FaultContender c : contenders) {
                rows.add(run(c, schedule, upstream));
            }
        }
        SelfhealFaults selfheal = contenders.stream().filter(c -> c instanceof SelfhealFaults)
                .map(c -> (SelfhealFaults) c).findFirst().orElse(null);
        BenchReport.publish("faults", report(schedule, rows, selfheal), machine.describe(COMMAND));
        RateLimitBenchmark.warmedUp();
    }

    /**
     * A fresh set of contenders, Selfheal first; {@code -Dbench.contenders=selfheal,failsafe} keeps a subset (for
     * investigating one; the report wants them all).
     */
    static List<FaultContender> contenders() {
        List<FaultContender> contenders = new ArrayList<>(List.of(new SelfhealFaults(), new StockCamelFaults(),
                new Resilience4jFaults(), new FailsafeFaults(), new NoRetryFaults()));
        String only = System.getProperty("bench.contenders", "all");
        if (!only.isBlank() && !only.equals("all")) {
            contenders.removeIf(c -> java.util.Arrays.stream(only.split(","))
                    .noneMatch(o -> c.name().toLowerCase(java.util.Locale.ROOT).contains(o.trim().toLowerCase(java.util.Locale.ROOT))));
        }
        return contenders;
    }

    static Row run(FaultContender c, FaultSchedule schedule, FlakyHttpUpstream upstream) throws Exception {
        System.out.println("running " + c.name() + " ...");
        Recorder recorder = new Recorder(schedule.messages());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (c) {
            c.start(upstream.port(), FaultContender.WORKERS, recorder);
            int baseline = threads.getThreadCount();
            threads.resetPeakThreadCount();
            long t0 = System.nanoTime();
            upstream.reset(t0);
            c.submitAll(schedule.ids());
            boolean finished = awaitWithProgress(recorder, t0);
            long end = finished ? recorder.lastFinished() : System.nanoTime();
            int peak = threads.getPeakThreadCount();
            FlakyHttpUpstream.Counts counts = upstream.counts();
            long outageEnd = upstream.outageEnd();
            double[] latency = recorder.deliveredLatencyMillis(50, 99);
            Row row = new Row(c.name(), c.configuration(), recorder.delivered(), recorder.open(), counts,
                    counts.firstSuccessAfterOutageNanos() == 0 ? -1 : ms(counts.firstSuccessAfterOutageNanos() - outageEnd),
                    end > outageEnd ? ms(end - outageEnd) : -1, ms(end - t0), recorder.settledMillis(t0, 50),
                    latency[0], latency[1], baseline, peak,
                    c.afterRun(), outageEnd);
            System.out.printf("  delivered %d, open %d, calls %d, outage calls %d for %d messages, early %d, 400 repeats %d, wall %d ms%n",
                    row.delivered(), row.open(), counts.calls(), counts.outageCalls(), counts.outageMessages(),
                    counts.earlyCalls(), counts.permanentRepeats(), row.wallMs());
            return row;
        }
    }

    /** Waits for every message to settle, printing progress every 5 s so a slow contender is visibly alive. */
    static boolean awaitWithProgress(Recorder recorder, long t0) throws InterruptedException {
        return awaitWithProgress(recorder, t0, TIMEOUT_SECONDS);
    }

    /** Waits at most {@code timeoutSeconds} from {@code t0}. */
    static boolean awaitWithProgress(Recorder recorder, long t0, long timeoutSeconds) throws InterruptedException {
        long deadline = t0 + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (recorder.await(Math.min(5, Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()))))) {
                return true;
            }
            System.out.printf("  %5.1f s: %d delivered, %d open%n", (System.nanoTime() - t0) / 1e9, recorder.delivered(),
                    recorder.open());
        }
        return recorder.await(0);
    }

    static String report(FaultSchedule s, List<Row> rows, SelfhealFaults selfheal) {
        long bestWall = s.theoreticalBestWallMillis();
        Table t = new Table("contender", "delivered", "400s retried", "calls before Retry-After", "calls",
                "outage calls / messages = amplification", "outage end → first success", "→ backlog drained",
                "wall time", "half settled at", "latency p50 / p99", "peak threads (before)");
        for (Row r : rows) {
            t.row(r.name() + (r.open() > 0 ? " (" + r.open() + " unfinished after " + TIMEOUT_SECONDS + " s)" : ""),
                    r.delivered(), r.counts().permanentRepeats(), r.counts().earlyCalls(), r.counts().calls(),
                    r.counts().outageCalls() + " / " + r.counts().outageMessages() + " = "
                            + (Double.isNaN(r.amplification()) ? "—" : Table.num(r.amplification(), 2)),
                    r.firstSuccessAfterOutageMs() < 0 ? "—" : seconds(r.firstSuccessAfterOutageMs()),
                    r.drainedAfterOutageMs() < 0 ? "done before" : seconds(r.drainedAfterOutageMs()),
                    seconds(r.wallMs()),
                    Double.isNaN(r.halfSettledMs()) ? "—" : seconds(Math.round(r.halfSettledMs())),
                    Double.isNaN(r.p50()) ? "—" : seconds(Math.round(r.p50())) + " / " + seconds(Math.round(r.p99())),
                    r.peakThreads() + " (" + r.baselineThreads() + ")");
        }
        long bestDrained = Math.max(0, bestWall - FaultSchedule.PHASE_A_MS - FaultSchedule.OUTAGE_MS);
        t.row("**theoretical best**", s.deliverable(), 0, 0, s.minimalCalls(), "0 (an oracle sends none)", "0.0 s",
                seconds(bestDrained), seconds(bestWall), "", "", "");

        StringBuilder b = new StringBuilder();
        b.append(t).append('\n');
        if (selfheal != null && rows.get(0).name().equals(selfheal.name())) {
            b.append(goals(s, rows, bestWall, selfheal)).append('\n');
        }
        b.append("Schedule (seed ").append(s.seed()).append("): ").append(s.messages()).append(" messages, ")
                .append(FaultContender.WORKERS).append(" workers; per message, fixed by the seed so every contender meets "
                        + "the same faults: ").append(s.count(FaultSchedule.Kind.FLAKY)).append(" answer 503 to their first 1–2 calls, ")
                .append(s.count(FaultSchedule.Kind.RATE_LIMITED)).append(" answer 429 `Retry-After: ")
                .append(FaultSchedule.RETRY_AFTER_SECONDS).append("` to their first call, ")
                .append(s.count(FaultSchedule.Kind.PERMANENT)).append(" answer 400 to every call. Phase A: the first ")
                .append(seconds(FaultSchedule.PHASE_A_MS)).append("; phase B: a total outage of ")
                .append(seconds(FaultSchedule.OUTAGE_MS)).append(" (every call answered 503 at once); phase C: the upstream "
                        + "back as in phase A. The upstream (JDK HttpServer on 127.0.0.1) serves ")
                .append(FaultSchedule.CAPACITY).append(" calls at once, ").append(FaultSchedule.SERVICE_MS)
                .append(" ms each.\n\n");
        b.append("Scale: every contender's documented delays ÷ ").append(FaultSchedule.SCALE)
                .append(" (1 s → 100 ms, 30 s → 3 s, 60 s → 6 s, 5 min → 30 s), so the 10 s outage stands for 100 s. "
                        + "Retry-After cannot be scaled: the header speaks whole seconds, so the issue's 200 ms is stated as "
                        + "`Retry-After: 1`, the shortest wait a server can ask for.\n\n");
        b.append("Measured: *400s retried* = calls to a 400 message beyond its first; *calls before Retry-After* = calls "
                + "arriving before the instant the upstream's 429 allowed (it records send time + 1 s); *amplification* = "
                + "calls during the outage ÷ distinct messages called during it; *first success*, *backlog drained*: from "
                + "the end of the outage to the first 200 and to the last message settled (— / done before: none after "
                + "it); *half settled at*: when half of all messages had been delivered or given up, from the batch's submission; "
                + "latency: from a worker taking a message to its delivery (delivered messages only; a synchronous "
                + "contender's messages wait in its queue before that, Selfheal's wait in backoff after it); threads: the "
                + "JVM's peak during the run (the upstream's 5 included) and the count just before. Theoretical best: "
                + "an oracle that makes only the calls the schedule requires, retries a 503 at once, waits exactly the "
                + "Retry-After without holding a slot, sends nothing during the outage and keeps the upstream's "
                + FaultSchedule.CAPACITY + " slots busy (simulated).\n\n");
        b.append("Contenders:\n");
        for (Row r : rows) {
            b.append("- ").append(r.name()).append(": ").append(r.configuration())
                    .append(r.afterRun().isEmpty() ? "" : "; " + r.afterRun()).append('\n');
        }
        return b.toString();
    }

    static String goals(FaultSchedule s, List<Row> rows, long bestWall, SelfhealFaults selfheal) {
        Row sh = rows.get(0);
        int bestDelivered = rows.stream().mapToInt(Row::delivered).max().orElse(0);
        String bestDeliveredBy = rows.stream().filter(r -> r.delivered() == bestDelivered).map(Row::name).findFirst().orElse("");
        List<String> lines = new ArrayList<>();
        lines.add(goal("zero wrongly retried permanents", sh.counts().permanentRepeats() == 0,
                sh.counts().permanentRepeats() + " calls", "400s were retried"));
        lines.add(goal("zero calls before a Retry-After allowed", sh.counts().earlyCalls() == 0,
                sh.counts().earlyCalls() + " early", "calls came before the stated instant"));
        boolean amplOk = !Double.isNaN(sh.amplification()) && sh.amplification() <= 1.1;
        lines.add(goal("outage amplification ≤ 1.1", amplOk,
                Double.isNaN(sh.amplification()) ? "no outage calls" : Table.num(sh.amplification(), 2),
                SelfhealContender.BREAKER
                        ? "the breaker did not stop the retries into the outage"
                        : "no circuit breaker yet (issue 3, not merged): each of the " + sh.counts().outageMessages()
                        + " messages that met the outage kept retrying into it on its own backoff ("
                        + sh.counts().outageCalls() + " calls)"));
        java.util.Optional<java.time.Duration> configured = SelfhealContender.breakerCooldown(FaultSchedule.SCALE);
        String firstSuccess = sh.firstSuccessAfterOutageMs() < 0 ? "none" : seconds(sh.firstSuccessAfterOutageMs());
        if (configured.isPresent()) {
            // the cooldown grows on each failed probe (issue 3): the bound is the one in force when the outage ended,
            // as the breaker's own transitions recorded it, not the first one configured
            java.util.Optional<SelfhealFaults.Cooldown> inForce = selfheal.cooldownInForceAt(sh.outageEndNanos(),
                    TimeUnit.MILLISECONDS.toNanos(PROBE_MS));
            long cooldownMs = inForce.map(c -> c.cooldown().toMillis()).orElse(configured.get().toMillis());
            String which = inForce.map(c -> "the cooldown in force when the outage ended, from the breaker's "
                            + ordinal(c.openings()) + " opening " + seconds(ms(sh.outageEndNanos() - c.atNanos()))
                            + " before the end; configured first cooldown " + seconds(configured.get().toMillis()))
                    .orElse("the breaker was closed when the outage ended: the configured first cooldown");
            long bound = cooldownMs + PROBE_MS;
            lines.add(goal("recovery within one breaker cooldown plus one probe (" + seconds(cooldownMs) + " + " + PROBE_MS
                            + " ms: " + which + ")", sh.firstSuccessAfterOutageMs() >= 0 && sh.firstSuccessAfterOutageMs() <= bound,
                    "first success " + firstSuccess + " after the outage", "the first success came later than that"));
        } else {
            lines.add("- recovery within one breaker cooldown plus one probe: first success " + firstSuccess
                    + " after the outage — **cannot be judged yet**: there is no breaker (issue 3, not merged), so "
                    + "there is no cooldown to hold it to; the backoff alone brought this.");
        }
        lines.add(goal("delivered equal to the best contender (" + bestDelivered + ", " + bestDeliveredBy + ")",
                sh.delivered() >= bestDelivered, sh.delivered() + " delivered",
                (bestDelivered - sh.delivered()) + " fewer: " + lossReasons(selfheal)));
        double ratio = (double) sh.wallMs() / bestWall;
        int lost = s.deliverable() - sh.delivered();
        String slower = "the backlog drained " + (sh.drainedAfterOutageMs() < 0 ? "before the outage ended"
                : seconds(sh.drainedAfterOutageMs()) + " after the outage against the oracle's "
                + seconds(Math.max(0, bestWall - FaultSchedule.PHASE_A_MS - FaultSchedule.OUTAGE_MS)))
                + (SelfhealContender.BREAKER ? "" : "; without a breaker nothing tells the waiting messages "
                + "that the upstream is back: each waits out its current backoff (up to the 3 s cap)");
        // a run that lost messages ends sooner for it: its time is not comparable with the oracle's, which lost none
        lines.add(goal("wall time within 1.2 × the theoretical best (" + seconds(bestWall) + ")",
                ratio <= 1.2 && lost <= 0, Table.num(ratio, 2) + " ×",
                ratio > 1.2 ? slower : lost + " deliverable messages were lost and stopped early, which shortens the "
                        + "run: the time is not like for like with the oracle's, which delivers them all"));
        return "Goals for the Selfheal row (" + SelfhealContender.describe() + "):\n" + String.join("\n", lines) + "\n";
    }

    /** Why Selfheal's undelivered messages were lost, from what the run recorded. */
    static String lossReasons(SelfhealFaults selfheal) {
        List<String> parts = new ArrayList<>();
        java.util.Map<String, Integer> giveUps = selfheal.giveUps();
        int attempts = giveUps.getOrDefault("ATTEMPTS", 0) + giveUps.getOrDefault("DURATION", 0);
        if (attempts > 0) {
            parts.add(attempts + " gave up on ATTEMPTS/DURATION"
                    + (SelfhealContender.BREAKER ? "" : ": without a breaker a message that meets the outage spends its "
                    + "8 attempts (about 9 s of backoff at this scale) inside the 10 s outage"));
        }
        for (String reason : List.of("BREAKER_OPEN", "BUDGET_EXHAUSTED", "RETRY_AFTER_BEYOND_CAP")) {
            if (giveUps.getOrDefault(reason, 0) > 0) {
                parts.add(giveUps.get(reason) + " gave up on " + reason);
            }
        }
        java.util.Map<String, Integer> failed = selfheal.undelivered();
        failed.remove("handled");
        for (var e : failed.entrySet()) {
            String why = e.getKey().equals("RejectedExecutionException")
                    ? ": Camel's redelivery scheduler (ErrorHandlerRedeliveryTask, default thread pool profile: queue "
                    + "of 1,000) refused to schedule more waits once about 1,000 exchanges were in backoff at once; "
                    + "these exchanges failed outside the self-healing clause, with no give-up reason and no escalation "
                    + "(a defect of the core's wiring, reported to the lead)"
                    : ": ended with this exception outside the give-up path";
            parts.add(e.getValue() + " " + e.getKey() + why);
        }
        return parts.isEmpty() ? "see the give-up reasons below" : String.join("; ", parts);
    }

    static String ordinal(int n) {
        String suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return n + suffix;
    }

    static String goal(String what, boolean met, String measured, String reason) {
        return "- " + what + ": " + measured + " — " + (met ? "**met**" : "**MISSED**: " + reason) + ".";
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    static String seconds(long ms) {
        return Table.num(ms / 1000.0, 1) + " s";
    }
}
