package io.selfheal.bench.waiting;

import io.selfheal.camel.Selfheal;

import io.selfheal.bench.BenchReport;
import io.selfheal.bench.Machine;
import io.selfheal.bench.SelfhealContender;
import io.selfheal.bench.Table;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.SynchronizationAdapter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark 2, threads while waiting: 1,000 exchanges from a seda consumer with 4 threads, each failing twice (a read
 * timeout, TRANSIENT) with 200 ms between attempts, then succeeding. Wall time and peak live threads for Selfheal
 * (scheduled redelivery) and for stock Camel's synchronous redelivery ({@code maximumRedeliveries(2)
 * .redeliveryDelay(200)}, no {@code asyncDelayedRedelivery}), which holds a consumer thread through every wait.
 */
public final class WaitingBenchmark {
    static final String COMMAND = "mvn -B -q -Pbench test-compile exec:exec@waiting";
    static final int MESSAGES = Integer.getInteger("bench.messages", 1000);
    /**
     * Unmeasured messages each contender runs first, in the same context. Selfheal's wall time is set by CPU work,
     * so it runs until the JIT has compiled its path (with 200, its run measured the compiler as much as the code);
     * stock Camel's is set by its sleeps (its CPU time is under 1 s of its 100 s), which no warm-up changes, so a
     * shorter warm-up keeps the benchmark within minutes without favouring either.
     */
    static final int SELFHEAL_WARM_UP = Integer.getInteger("bench.warmup", 3000);
    static final int STOCK_WARM_UP = 200;
    static final int WARM_UP_BATCH = 500;
    static final int CONSUMERS = 4;
    static final int FAILURES_PER_MESSAGE = 2;
    static final long DELAY_MS = 200;
    static final long TIMEOUT_SECONDS = 400;

    private WaitingBenchmark() {
    }

    record Outcome(String name, long wallMillis, long cpuMillis, int baselineThreads, int peakThreads, int delivered, int calls,
                   Map<String, Integer> failures) {
    }

    interface Contender {
        String name();

        int warmUpMessages();

        CamelContext context() throws Exception;

        void shape(RouteDefinition route, RouteBuilder builder);
    }

    static final Contender SELFHEAL = new Contender() {
        public String name() {
            return "Selfheal " + SelfhealContender.describe();
        }

        public int warmUpMessages() {
            return SELFHEAL_WARM_UP;
        }

        public CamelContext context() throws Exception {
            // the brief's 200 ms delays exactly: no jitter, no growth
            Map<String, String> p = SelfhealContender.scaled(1);
            p.put("selfheal.defaults.initial-delay", DELAY_MS + "ms");
            p.put("selfheal.defaults.max-delay", DELAY_MS + "ms");
            p.put("selfheal.defaults.multiplier", "1");
            p.put("selfheal.defaults.jitter", "0");
            return SelfhealContender.newContext(p);
        }

        public void shape(RouteDefinition route, RouteBuilder builder) {
            SelfhealContender.inherit(route, "bench-upstream");
        }
    };

    static final Contender STOCK = new Contender() {
        public String name() {
            return "stock Camel, synchronous redelivery";
        }

        public int warmUpMessages() {
            return STOCK_WARM_UP;
        }

        public CamelContext context() {
            return new DefaultCamelContext();
        }

        public void shape(RouteDefinition route, RouteBuilder builder) {
            route.errorHandler(builder.defaultErrorHandler().maximumRedeliveries(FAILURES_PER_MESSAGE)
                    .redeliveryDelay(DELAY_MS).logRetryAttempted(false).logExhausted(true));
        }
    };

    public static void main(String[] args) throws Exception {
        Machine machine = Machine.watch();
        Outcome selfheal = run(SELFHEAL);
        Outcome stock = run(STOCK);

        long longestDelays = FAILURES_PER_MESSAGE * DELAY_MS;
        long goal = 2 * longestDelays;
        long threadPerWait = MESSAGES * longestDelays / CONSUMERS;
        Table t = new Table("contender", "wall time", "CPU time of the JVM", "peak live threads (before the run)",
                "delivered", "calls");
        for (Outcome o : new Outcome[]{selfheal, stock}) {
            t.row(o.name(), Table.num(o.wallMillis() / 1000.0, 2) + " s", Table.num(o.cpuMillis() / 1000.0, 2) + " s",
                    o.peakThreads() + " (" + o.baselineThreads() + ")", o.delivered() + " / " + MESSAGES, o.calls());
        }
        StringBuilder body = new StringBuilder();
        body.append(t).append('\n');
        boolean met = selfheal.wallMillis() <= goal && selfheal.delivered() == MESSAGES;
        body.append("**Goal: Selfheal's wall time within 2 × the longest single message's delays (2 × ")
                .append(longestDelays).append(" ms = ").append(goal).append(" ms): ")
                .append(Table.num(selfheal.wallMillis(), 0)).append(" ms — ")
                .append(met ? "met.**" : "MISSED**: " + missReason(selfheal, goal)).append("\n\n");
        body.append("A thread per wait needs ").append(MESSAGES).append(" × ").append(longestDelays).append(" ms ÷ ")
                .append(CONSUMERS).append(" threads = ").append(Table.num(threadPerWait / 1000.0, 0))
                .append(" s; stock Camel took ").append(Table.num(stock.wallMillis() / 1000.0, 1)).append(" s, ")
                .append(Table.num((double) stock.wallMillis() / selfheal.wallMillis(), 0)).append(" × Selfheal's.\n\n");
        body.append(MESSAGES).append(" messages sent to `seda:work?concurrentConsumers=").append(CONSUMERS)
                .append("` at once; each throws a `SocketTimeoutException` (TRANSIENT) on its first ")
                .append(FAILURES_PER_MESSAGE).append(" calls, then succeeds. Selfheal runs with initial-delay = max-delay = ")
                .append(DELAY_MS).append(" ms, jitter 0, so every wait is exactly ").append(DELAY_MS)
                .append(" ms as in stock Camel's `redeliveryDelay(").append(DELAY_MS).append(")`. Each contender first "
                        + "runs unmeasured messages in the same context: Selfheal ").append(SELFHEAL_WARM_UP)
                .append(" (its time is CPU work, so the JIT must have compiled it), stock Camel ").append(STOCK_WARM_UP)
                .append(" (its time is its sleeps, as its CPU time in the table shows). Warm-up goes in batches of ")
                .append(WARM_UP_BATCH).append(" (under the ")
                .append("redelivery scheduler's queue limit, see benchmark 3). Wall time: "
                        + "first send to last delivery. Threads: the JVM's peak live thread count during the measured "
                        + "run (ThreadMXBean, reset at its start), beside the count just before it (Selfheal's includes the 10 threads of "
                        + "Camel's redelivery scheduler, started by the warm-up); stock Camel adds no thread either: it "
                        + "holds its 4 consumer threads through every wait instead, hence its wall time. CPU time: the "
                        + "whole JVM's during the measured run; far below wall time × cores means it waited for a CPU.\n");
        BenchReport.publish("waiting", body.toString(), machine.describe(COMMAND));
    }

    static String missReason(Outcome o, long goal) {
        if (o.delivered() < MESSAGES) {
            return "only " + o.delivered() + " of " + MESSAGES + " were delivered"
                    + (o.failures().isEmpty() ? "." : "; the others ended with " + o.failures()
                    + (o.failures().containsKey("RejectedExecutionException")
                    ? " (Camel's redelivery scheduler refuses to queue more than 1,000 waits by default)." : "."));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int attempts = MESSAGES * (FAILURES_PER_MESSAGE + 1);
        // the least wall time this CPU work allows: its waits, plus its CPU time spread perfectly over every core
        long floor = FAILURES_PER_MESSAGE * DELAY_MS + o.cpuMillis() / cores;
        String cpu = "the JVM used " + Table.num(o.cpuMillis() / 1000.0, 2) + " s of CPU during the run ("
                + Table.num(o.cpuMillis() * 1000.0 / attempts, 0) + " µs per attempt, JIT compilation and GC included)";
        if (floor > goal) {
            return cpu + ": even spread over all " + cores + " cores that is " + floor + " ms with the waits, above the "
                    + "goal; the other " + Math.max(0, o.wallMillis() - floor) + " ms were spent waiting for a CPU "
                    + "held by other processes (see the load above).";
        }
        return cpu + ", which with the waits fits in " + floor + " ms on " + cores + " cores: the rest of the "
                + o.wallMillis() + " ms was spent waiting for a CPU held by other processes (see the load above); "
                + "re-run on a quiet machine.";
    }

    static Outcome run(Contender c) throws Exception {
        Map<String, AtomicInteger> callsByMessage = new ConcurrentHashMap<>();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger delivered = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        CountDownLatch[] done = {new CountDownLatch(c.warmUpMessages())};

        CamelContext ctx = c.context();
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                RouteDefinition route = from("seda:work?concurrentConsumers=" + CONSUMERS + "&size=" + (MESSAGES + c.warmUpMessages()))
                        .routeId("waiting");
                c.shape(route, this);
                // every exchange counts down once it is over, delivered or not, so a lost one cannot hang the run
                route.process(e -> e.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                            @Override
                            public void onDone(Exchange over) {
                                if (over.getException() != null) {
                                    failures.merge(over.getException().getClass().getSimpleName(), 1, Integer::sum);
                                }
                                done[0].countDown();
                            }
                        }))
                        .process(e -> {
                            calls.incrementAndGet();
                            int n = callsByMessage.computeIfAbsent(e.getIn().getBody(String.class), k -> new AtomicInteger())
                                    .incrementAndGet();
                            if (n <= FAILURES_PER_MESSAGE) {
                                throw new SocketTimeoutException("Read timed out");
                            }
                        })
                        .process(e -> delivered.incrementAndGet());
            }
        });
        ctx.start();
        try {
            ProducerTemplate template = ctx.createProducerTemplate();
            // in batches: more than 1,000 exchanges waiting at once overflow the redelivery scheduler's queue
            for (int sent = 0; sent < c.warmUpMessages(); sent += WARM_UP_BATCH) {
                int batch = Math.min(WARM_UP_BATCH, c.warmUpMessages() - sent);
                done[0] = new CountDownLatch(batch);
                for (int i = 0; i < batch; i++) {
                    template.sendBody("seda:work", "warm-up-" + (sent + i));
                }
                if (!done[0].await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(c.name() + ": the warm-up did not finish");
                }
            }
            calls.set(0);
            delivered.set(0);
            failures.clear();
            done[0] = new CountDownLatch(MESSAGES);

            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            int baseline = threads.getThreadCount();
            threads.resetPeakThreadCount();
            long cpuStart = cpuNanos();
            long start = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) {
                template.sendBody("seda:work", "m" + i);
            }
            boolean finished = done[0].await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long wall = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long cpu = TimeUnit.NANOSECONDS.toMillis(cpuNanos() - cpuStart);
            int peak = threads.getPeakThreadCount();
            if (!finished) {
                System.err.println(c.name() + ": not all delivered within " + TIMEOUT_SECONDS + " s");
            }
            System.out.printf("%s: %d ms (CPU %d ms), peak threads %d (baseline %d), delivered %d, calls %d%n", c.name(), wall, cpu, peak,
                    baseline, delivered.get(), calls.get());
            return new Outcome(c.name(), wall, cpu, baseline, peak, delivered.get(), calls.get(), new java.util.TreeMap<>(failures));
        } finally {
            ctx.stop();
        }
    }

    /** CPU time of the whole JVM so far. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
