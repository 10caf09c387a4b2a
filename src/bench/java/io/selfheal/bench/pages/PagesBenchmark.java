package io.selfheal.bench.pages;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.selfheal.bench.BenchReport;
import io.selfheal.bench.Machine;
import io.selfheal.bench.SelfhealContender;
import io.selfheal.bench.Table;
import io.selfheal.camel.runs.JobRuns;
import io.selfheal.runs.JobRun;
import io.selfheal.runs.RunPagePolicy;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Pages per 100 runs: a scheduled job (a timer, {@value #RUNS} runs of {@value #RECORDS} records, split and sent to a
 * local HTTP upstream) where each record fails with probability {@value #FAILING_SHARE}, in the seed's mix: 80 %
 * transient (503 once or twice, then 200), 15 % recoverable (429 with Retry-After: 1, then 200), 5 % permanent (400).
 * The script is drawn from a seeded Random before the first run. Selfheal's pages are counted where they arrive: the
 * webhook sink posts them to the same local server. A job without the self-healing layer pages every run in which
 * any record failed on its first attempt; Selfheal must page exactly the runs that parked a permanent failure, under
 * the default page policy ({@code any-partial}).
 */
public final class PagesBenchmark {
    static final int RUNS = 100;
    static final int RECORDS = 20;
    static final double FAILING_SHARE = 0.10;
    static final String JOB = "pages-job";

    enum Kind { OK, TRANSIENT_ONCE, TRANSIENT_TWICE, RECOVERABLE, PERMANENT }

    public static void main(String[] args) throws Exception {
        long seed = Long.getLong("bench.seed", 7);
        Kind[][] script = script(new Random(seed));
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        AtomicInteger pages = new AtomicInteger();
        Set<String> pagedRunIds = ConcurrentHashMap.newKeySet();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/items/", ex -> item(ex, script, calls));
        server.createContext("/alerts", ex -> {
            String body = read(ex);
            if (body.contains("SelfhealJobRun")) {
                pages.incrementAndGet();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"runId\":\"([^\"]+)\"").matcher(body);
                pagedRunIds.add(m.find() ? m.group(1) : "?");
            }
            answer(ex, 200, "");
        });
        server.start();
        int port = server.getAddress().getPort();
        Machine machine = Machine.watch();
        long t0 = System.nanoTime();

        Map<String, String> p = SelfhealContender.scaled(100);
        String unique = UUID.randomUUID().toString();
        p.put("selfheal.parked.url", "jdbc:h2:mem:pages-parked-" + unique + ";DB_CLOSE_DELAY=-1");
        p.put("selfheal.idempotency.url", "jdbc:h2:mem:pages-keys-" + unique + ";DB_CLOSE_DELAY=-1");
        p.put("selfheal.parked.replay-poll-interval", "0s");
        p.put("selfheal.alert.sinks", "webhook");
        p.put("selfheal.alert.webhook.url", "http://127.0.0.1:" + port + "/alerts");
        p.put("selfheal.alert.group-window", "0s");
        p.put("selfheal.jobs." + JOB + ".misfire", "queue");
        p.put("selfheal.budget.items.max-tokens", "1000"); // the budget is not what this measures
        p.put("selfheal.upstream.items.retry-after-max", "5s");
        CamelContext ctx = SelfhealContender.newContext(p);
        String ids = IntStream.range(0, RECORDS).mapToObj(String::valueOf).collect(Collectors.joining(","));
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                SelfhealContender.inherit(from("timer:" + JOB + "?delay=0&period=10&includeMetadata=true&repeatCount=" + RUNS)
                        .routeId(JOB), "items")
                        .setProperty("run").header("CamelTimerCounter")
                        .setBody(constant(ids))
                        .split(body().tokenize(",")).parallelProcessing()
                        .toD("http://127.0.0.1:" + port + "/items/${exchangeProperty.run}/${body}?httpMethod=GET"
                                + "&connectTimeout=2000&responseTimeout=5000")
                        .end();
            }
        });
        ctx.start();
        JobRuns runs = JobRuns.of(ctx);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("bench.timeout", 300));
        List<JobRun> recorded = List.of();
        while (System.nanoTime() < deadline) {
            recorded = runs.store().runsOf(JOB, RUNS + 10);
            if (recorded.size() == RUNS && recorded.stream().noneMatch(JobRun::running)) {
                break;
            }
            Thread.sleep(200);
        }
        // the page of the last run is sent on the sink's thread: give it a moment
        long expectedPages = recorded.stream().filter(RunPagePolicy.defaults()::pages).count();
        long pageDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pages.get() < expectedPages && System.nanoTime() < pageDeadline) {
            Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ctx.stop();
        server.stop(0);

        int withFailure = 0;
        int withPermanent = 0;
        for (Kind[] run : script) {
            boolean any = false;
            boolean permanent = false;
            for (Kind k : run) {
                any |= k != Kind.OK;
                permanent |= k == Kind.PERMANENT;
            }
            withFailure += any ? 1 : 0;
            withPermanent += permanent ? 1 : 0;
        }
        long partial = recorded.stream().filter(r -> r.counts().parked() > 0).count();
        Map<String, Long> byOutcome = recorded.stream()
                .collect(Collectors.groupingBy(r -> r.outcome().map(Enum::name).orElse("RUNNING"), java.util.TreeMap::new,
                        Collectors.counting()));
        int permanentRecords = (int) java.util.Arrays.stream(script).flatMap(java.util.Arrays::stream)
                .filter(k -> k == Kind.PERMANENT).count();
        long parkedRecords = recorded.stream().mapToLong(r -> r.counts().parked()).sum();

        Table t = new Table("runs", "runs with any failure", "pages without Selfheal", "pages with Selfheal",
                "pages avoided", "runs that parked a permanent failure");
        t.row(recorded.size(), withFailure, withFailure, pages.get(), withFailure - pages.get(), withPermanent);
        StringBuilder body = new StringBuilder();
        body.append("`mvn -B -q -Pbench test-compile exec:exec@pages` (seed ").append(seed).append("): ")
                .append(RUNS).append(" runs of a timer job, ").append(RECORDS)
                .append(" records each, split in parallel to a local HTTP upstream; each record fails with probability ")
                .append(Table.num(FAILING_SHARE, 2)).append(" in the seed's mix (80 % 503 once or twice then 200, 15 % 429 "
                        + "with `Retry-After: 1` then 200, 5 % 400), drawn from the seeded Random before the first run. "
                        + "Retries at the shipped defaults divided by 100. Pages are what the webhook sink posted (group "
                        + "window 0 s), under the default page policy `any-partial`. A job without the self-healing "
                        + "layer pages every run with any failure on a first attempt.\n\n");
        body.append(t).append('\n');
        body.append("Runs by outcome: ").append(byOutcome).append("; permanent records in the script ")
                .append(permanentRecords).append(", records parked ").append(parkedRecords)
                .append("; runs with a parked record ").append(partial).append("; wall time ")
                .append(Table.num(seconds, 1)).append(" s.\n\n");
        // the runs ran one after the other (misfire queue): the n-th started is the timer's n-th firing, script row n-1
        List<JobRun> inOrder = recorded.stream()
                .sorted(java.util.Comparator.comparing(JobRun::started).thenComparing(JobRun::triggerTime)).toList();
        Set<String> permanentRunIds = new java.util.HashSet<>();
        boolean parkedAsScripted = inOrder.size() == RUNS;
        for (int i = 0; i < inOrder.size() && i < RUNS; i++) {
            long scripted = java.util.Arrays.stream(script[i]).filter(k -> k == Kind.PERMANENT).count();
            parkedAsScripted &= inOrder.get(i).counts().parked() == scripted;
            if (scripted > 0) {
                permanentRunIds.add(inOrder.get(i).runId());
            }
        }
        boolean exact = pages.get() == withPermanent && pagedRunIds.equals(permanentRunIds) && parkedAsScripted
                && parkedRecords == permanentRecords;
        body.append("Goal (pages only for runs that parked a permanent failure): ")
                .append(exact ? "**met**, " : "**not met**, ").append(pages.get()).append(" pages for ")
                .append(withPermanent).append(" runs with a permanent failure")
                .append(pagedRunIds.equals(permanentRunIds) ? ", and the paged runs are exactly those runs"
                        : ", but not the same runs")
                .append(parkedAsScripted ? "; each run parked exactly its permanent records.\n"
                        : "; some run parked other records than its permanent ones.\n");
        BenchReport.publish("pages", body.toString(), machine.describe("mvn -B -q -Pbench test-compile exec:exec@pages"));
        System.exit(exact ? 0 : 1);
    }

    /** Per run and record, how the upstream answers it. */
    static Kind[][] script(Random random) {
        Kind[][] s = new Kind[RUNS][RECORDS];
        for (int run = 0; run < RUNS; run++) {
            for (int r = 0; r < RECORDS; r++) {
                Kind k = Kind.OK;
                if (random.nextDouble() < FAILING_SHARE) {
                    double mix = random.nextDouble();
                    k = mix < 0.80 ? (random.nextBoolean() ? Kind.TRANSIENT_ONCE : Kind.TRANSIENT_TWICE)
                            : mix < 0.95 ? Kind.RECOVERABLE : Kind.PERMANENT;
                }
                s[run][r] = k;
            }
        }
        return s;
    }

    private static void item(HttpExchange ex, Kind[][] script, Map<String, AtomicInteger> calls) throws IOException {
        String[] parts = ex.getRequestURI().getPath().split("/"); // "", items, run, id
        int run = Integer.parseInt(parts[2]);
        int id = Integer.parseInt(parts[3]);
        int call = calls.computeIfAbsent(run + "/" + id, k -> new AtomicInteger()).incrementAndGet();
        Kind k = script[run - 1][id];
        switch (k) {
            case TRANSIENT_ONCE -> answer(ex, call <= 1 ? 503 : 200, "{}");
            case TRANSIENT_TWICE -> answer(ex, call <= 2 ? 503 : 200, "{}");
            case RECOVERABLE -> {
                if (call <= 1) {
                    ex.getResponseHeaders().add("Retry-After", "1");
                    answer(ex, 429, "{}");
                } else {
                    answer(ex, 200, "{}");
                }
            }
            case PERMANENT -> answer(ex, 400, "{}");
            default -> answer(ex, 200, "{}");
        }
    }

    private static String read(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
        ex.close();
    }
}
