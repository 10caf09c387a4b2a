package io.selfheal.it;

import io.selfheal.testing.FlakyLedger;
import io.selfheal.testing.ChildJar;
import io.selfheal.testing.LedgerPipeline;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.selfheal.testing.FlakyLedger.Kind;
import io.selfheal.testing.FlakyLedger.Plan;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The soak run (issue 8, part 5), behind the Maven profile {@code soak}: {@code mvn -B verify -Psoak
 * -Dsoak.minutes=30}. Not part of the default run (the name matches neither surefire's nor failsafe's defaults).
 * <p>
 * The built jar runs the crash test's pipeline (file inbox, idempotent consumer, POST to the ledger with
 * Idempotency-Key, idempotent sink; keys, sink and parked store on PostgreSQL) for {@code soak.minutes} while records
 * arrive at a steady {@code soak.rate} per second, under a fault schedule that cycles every minute: 30 s calm (the
 * crash test's mix: 503s, 500s, 429 with Retry-After, 400s, records that never succeed), 15 s storm (503s and
 * connection resets), 15 s rate limiting (429 with Retry-After: 1). Every {@code soak.sample-seconds} (30) the child's
 * heap after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}), its resident size and its live thread count
 * ({@code /proc/<pid>/status}) are sampled. At the end the inbox is drained and every record is accounted for.
 * <p>
 * Asserted: the last quarter's largest heap after GC is within 1.5x the first quarter's, threads within +10, nothing is
 * lost, nothing is booked twice, every record ends as its fault plan says.
 */
class JarSoak {
    static final double MINUTES = Double.parseDouble(System.getProperty("soak.minutes", "30"));
    static final int RATE = Integer.getInteger("soak.rate", 25);
    static final int SAMPLE_SECONDS = Integer.getInteger("soak.sample-seconds", 30);
    static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    @TempDir
    Path dir;
    private WireMockServer ledger;
    private LedgerPipeline pipeline;
    private ChildJar jar;
    private final Map<String, Plan> plans = new ConcurrentHashMap<>();
    private final Random random = new Random(Long.getLong("soak.seed", 1L));
    private final long started = System.nanoTime();

    /** One sample of the child process. */
    record Sample(long seconds, long heapAfterGcKb, long rssKb, int threads, int done, int backlog) {
    }

    @AfterEach
    void tearDown() throws Exception {
        if (jar != null) {
            jar.close();
        }
        if (ledger != null) {
            ledger.stop();
        }
        if (pipeline != null) {
            pipeline.dropTables();
        }
    }

    /** The fault plan of a record, by the phase of the schedule when the ledger first sees it. */
    private Plan planFor(String id) {
        return plans.computeIfAbsent(id, k -> {
            long second = (System.nanoTime() - started) / 1_000_000_000L % 60;
            synchronized (random) {
                int p = random.nextInt(100);
                if (second < 30) {
                    return Plan.draw(random);
                }
                if (second < 45) {   // storm
                    if (p < 50) {
                        return new Plan(Kind.TRANSIENT, List.of(503, 503), 201);
                    }
                    if (p < 75) {
                        return new Plan(Kind.TRANSIENT, List.of(0, 503), 201);
                    }
                    if (p < 85) {
                        return new Plan(Kind.EXHAUSTED, List.of(), 503);
                    }
                    return new Plan(Kind.OK, List.of(), 201);
                }
                return p < 50 ? new Plan(Kind.RATE_LIMITED, List.of(429), 201) : new Plan(Kind.OK, List.of(), 201);
            }
        });
    }

    @Test
    void heapAndThreadsStayFlatAndNothingIsLost() throws Exception {
        FlakyLedger flaky = new FlakyLedger(this::planFor);
        ledger = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(40)
                .disableRequestJournal().extensions(flaky));
        ledger.start();
        ledger.stubFor(post(urlPathEqualTo("/ledger")).willReturn(aResponse().withTransformers(FlakyLedger.NAME)));
        pipeline = new LedgerPipeline(dir, "soak");
        pipeline.write(ledger.port(), "");
        jar = pipeline.start("soak", dir.resolve("soak.log"));
        long durationMillis = (long) (MINUTES * 60_000);
        System.out.printf("soak: %.1f minutes at %d records/s, a sample every %d s, jar pid %d%n", MINUTES, RATE,
                SAMPLE_SECONDS, jar.pid());

        AtomicInteger fed = new AtomicInteger();
        AtomicBoolean feeding = new AtomicBoolean(true);
        Thread feeder = new Thread(() -> {
            long next = System.nanoTime();
            while (feeding.get()) {
                int n = fed.incrementAndGet();
                String id = String.format("s%07d", n);
                try {
                    pipeline.drop(id, LedgerPipeline.record(id, n % 997));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                next += 1_000_000_000L / RATE;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
        }, "soak-feeder");
        feeder.start();

        List<Sample> samples = new ArrayList<>();
        long t0 = System.currentTimeMillis();
        try {
            while (System.currentTimeMillis() - t0 < durationMillis) {
                long due = t0 + (samples.size() + 1L) * SAMPLE_SECONDS * 1000;
                // the sampling schedule itself, not a wait for a condition
                Thread.sleep(Math.max(0, Math.min(due, t0 + durationMillis) - System.currentTimeMillis()));
                assertThat(jar.isAlive()).as("the jar died:%n%s", jar.tail(60)).isTrue();
                if (System.currentTimeMillis() >= due) {
                    Sample s = sample((System.currentTimeMillis() - t0) / 1000);
                    samples.add(s);
                    System.out.printf("soak: t=%4ds heap after GC %6.1f MB  RSS %6.1f MB  threads %3d  done %6d  backlog %5d%n",
                            s.seconds(), s.heapAfterGcKb() / 1024.0, s.rssKb() / 1024.0, s.threads(), s.done(), s.backlog());
                }
            }
        } finally {
            feeding.set(false);
            feeder.join(10_000);
        }

        // drain: everything fed gets an outcome
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(() -> pipeline.inSource().isEmpty() && pipeline.progress() >= fed.get() || !jar.isAlive());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the jar did not drain the inbox: " + pipeline.inSource().size() + " left\n"
                    + jar.tail(40), e);
        }
        assertThat(jar.isAlive()).as("the jar died:%n%s", jar.tail(60)).isTrue();
        jar.stop(30);

        int quarter = Math.max(1, samples.size() / 4);
        List<Sample> first = samples.subList(0, quarter);
        List<Sample> last = samples.subList(samples.size() - quarter, samples.size());
        long firstHeap = first.stream().mapToLong(Sample::heapAfterGcKb).max().orElseThrow();
        long lastHeap = last.stream().mapToLong(Sample::heapAfterGcKb).max().orElseThrow();
        int firstThreads = first.stream().mapToInt(Sample::threads).max().orElseThrow();
        int lastThreads = last.stream().mapToInt(Sample::threads).max().orElseThrow();

        Outcome o = account(fed.get(), flaky);
        System.out.printf("%n================ soak result (%.1f min, %d records/s) ================%n", MINUTES, RATE);
        System.out.printf("samples                         %d (every %d s; quarter = %d samples)%n", samples.size(),
                SAMPLE_SECONDS, quarter);
        System.out.printf("heap after GC, max              first quarter %.1f MB, last quarter %.1f MB (x%.2f, limit x1.5)%n",
                firstHeap / 1024.0, lastHeap / 1024.0, (double) lastHeap / firstHeap);
        System.out.printf("live threads, max               first quarter %d, last quarter %d (+%d, limit +10)%n",
                firstThreads, lastThreads, lastThreads - firstThreads);
        System.out.printf("records fed                     %d (fault plans %s)%n", fed.get(), o.kinds);
        System.out.printf("delivered / parked / in source  %d / %d / %d%n", o.delivered.size(), o.parked.size(), o.source.size());
        System.out.printf("lost                            %d%n", o.lost.size());
        System.out.printf("booked twice / sent under 2+ keys  %d / %d%n", o.bookedTwice.size(), o.severalKeys.size());
        System.out.printf("not as the fault plan says      %d %s%n", o.notAsPlanned.size(),
                o.notAsPlanned.stream().limit(5).toList());
        System.out.printf("ledger requests / bookings      %d / %d%n", flaky.requests(), flaky.bookings());
        System.out.println("=".repeat(72));

        assertThat(samples.size()).as("samples").isGreaterThanOrEqualTo(4);
        assertThat((double) lastHeap).as("last quarter's heap after GC vs the first's").isLessThanOrEqualTo(1.5 * firstHeap);
        assertThat(lastThreads).as("last quarter's threads vs the first's").isLessThanOrEqualTo(firstThreads + 10);
        assertThat(o.lost).as("lost").isEmpty();
        assertThat(o.source).as("left in the source").isEmpty();
        assertThat(o.bookedTwice).as("booked twice").isEmpty();
        assertThat(o.severalKeys).as("sent under several keys").isEmpty();
        assertThat(o.notAsPlanned).as("not as planned").isEmpty();
        assertThat(o.delivered.size() + o.parked.size()).isEqualTo(fed.get());
    }

    private Sample sample(long seconds) throws Exception {
        jcmd("GC.run");
        String heap = jcmd("GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(heap);
        if (!used.find()) {
            throw new IllegalStateException("no heap use in:\n" + heap);
        }
        String status = Files.readString(Path.of("/proc", String.valueOf(jar.pid()), "status"));
        return new Sample(seconds, Long.parseLong(used.group(1)), procField(status, "VmRSS"), (int) procField(status, "Threads"),
                pipeline.progress(), pipeline.inSource().size());
    }

    private String jcmd(String command) throws Exception {
        Process p = new ProcessBuilder(JCMD.toString(), String.valueOf(jar.pid()), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    private static long procField(String status, String field) {
        Matcher m = Pattern.compile("(?m)^" + field + ":\\s+(\\d+)").matcher(status);
        if (!m.find()) {
            throw new IllegalStateException(field + " missing in /proc status");
        }
        return Long.parseLong(m.group(1));
    }

    /** What happened to every record fed. */
    static final class Outcome {
        final Set<String> delivered = new TreeSet<>();
        final Set<String> parked = new TreeSet<>();
        final Set<String> source = new TreeSet<>();
        final Set<String> lost = new TreeSet<>();
        final Set<String> bookedTwice = new TreeSet<>();
        final Set<String> severalKeys = new TreeSet<>();
        final Set<String> notAsPlanned = new TreeSet<>();
        final Map<Kind, Integer> kinds = new TreeMap<>();
    }

    private Outcome account(int fed, FlakyLedger flaky) throws Exception {
        Outcome o = new Outcome();
        Map<String, String> parkedReasons = new TreeMap<>();
        try (Connection c = LedgerPipeline.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT record_id FROM " + pipeline.sinkTable)) {
                while (rs.next()) {
                    o.delivered.add(rs.getString(1));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT body, give_up_reason FROM " + pipeline.parkedTable)) {
                while (rs.next()) {
                    String id = FlakyLedger.recordId(new String(rs.getBytes(1), StandardCharsets.UTF_8));
                    o.parked.add(id);
                    parkedReasons.merge(id, rs.getString(2), (a, b) -> a + "," + b);
                }
            }
        }
        o.source.addAll(pipeline.inSource());
        for (int n = 1; n <= fed; n++) {
            String id = String.format("s%07d", n);
            boolean d = o.delivered.contains(id);
            boolean p = o.parked.contains(id);
            if (!d && !p && !o.source.contains(id)) {
                o.lost.add(id);
            }
            Plan plan = plans.get(id);
            if (plan == null) {
                o.notAsPlanned.add(id + " never reached the ledger" + (d ? " but was delivered" : "")
                        + (p ? " parked " + parkedReasons.get(id) : ""));
                continue;
            }
            o.kinds.merge(plan.kind(), 1, Integer::sum);
            String reason = plan.kind() == Kind.PERMANENT ? "PERMANENT" : "ATTEMPTS";
            boolean asPlanned = plan.kind().parks() ? p && !d && reason.equals(parkedReasons.get(id)) : d && !p;
            if (!asPlanned) {
                o.notAsPlanned.add(id + " " + plan.kind() + (d ? " delivered" : "") + (p ? " parked " + parkedReasons.get(id) : ""));
            }
        }
        flaky.bookingsByRecord().forEach((id, n) -> {
            if (n.get() > 1) {
                o.bookedTwice.add(id + " x" + n.get());
            }
        });
        flaky.keysByRecord().forEach((id, keys) -> {
            if (keys.size() > 1) {
                o.severalKeys.add(id + " " + keys);
            }
        });
        return o;
    }
}
