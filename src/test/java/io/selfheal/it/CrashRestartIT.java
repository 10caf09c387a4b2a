package io.selfheal.it;

import io.selfheal.testing.FlakyLedger;
import io.selfheal.testing.ChildJar;
import io.selfheal.testing.LedgerPipeline;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.selfheal.testing.FlakyLedger.Kind;
import io.selfheal.testing.FlakyLedger.Plan;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crash and restart with no loss and no duplicate, with Jepsen-style accounting (issue 8, part 2).
 * <p>
 * The built jar runs in a child JVM from a working directory of its own, with the README's recipe as its pipeline:
 * 5,000 keyed JSON records in {@code inbox/} (a file consumer, 8 worker threads), an idempotent consumer on a
 * PostgreSQL key table, a POST to a flaky ledger (WireMock: 503s, 500s, 429 with Retry-After, permanent 400s, and
 * records that never succeed) carrying Idempotency-Key, then the {@code idempotent-jdbc-sink} Kamelet into a
 * PostgreSQL table. The parked store is on PostgreSQL too. The process is killed with SIGKILL at 5 seeded random
 * moments (a random progress point plus a random delay) and started again each time; the last run goes to the end.
 * <p>
 * Then every record is accounted for: in the sink, parked, or still in the source; lost = 0; no record is booked
 * twice by the ledger (every request of one record carried one key, and the ledger books a key once), no record has
 * two sink rows or two parked entries; permanent failures are never retried within a run, Retry-After is honoured,
 * and each record ends where its fault plan says (a record that can succeed is delivered, one that cannot is parked
 * with the right reason). Reproduce a run with {@code -Dcrash.seed=<the printed seed>}.
 */
public class CrashRestartIT {
    static final int RECORDS = Integer.getInteger("crash.records", 5_000);
    static final int KILLS = Integer.getInteger("crash.kills", 5);
    static final int MAX_ATTEMPTS = LedgerPipeline.MAX_ATTEMPTS;

    @TempDir
    Path dir;
    private WireMockServer ledger;
    private FlakyLedger flaky;
    private LedgerPipeline pipeline;
    private final List<ChildJar> runs = new ArrayList<>();
    private final Map<String, Plan> plans = new HashMap<>();
    private long seed;

    @BeforeEach
    void setUp() throws Exception {
        seed = Long.getLong("crash.seed", new Random().nextLong());
        Random random = new Random(seed);
        for (int i = 1; i <= RECORDS; i++) {
            plans.put(id(i), Plan.draw(random));
        }
        flaky = new FlakyLedger(plans::get);
        ledger = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
                .containerThreads(40).extensions(flaky));
        ledger.start();
        ledger.stubFor(post(urlPathEqualTo("/ledger")).willReturn(aResponse().withTransformers(FlakyLedger.NAME)));

        pipeline = new LedgerPipeline(dir, "crash");
        pipeline.write(ledger.port(), "");
        for (int i = 1; i <= RECORDS; i++) {
            pipeline.drop(id(i), LedgerPipeline.record(id(i), i % 997));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (ChildJar r : runs) {
            r.close();
        }
        if (ledger != null) {
            ledger.stop();
        }
        if (pipeline != null) {
            pipeline.dropTables();
        }
    }

    @Test
    void sigkillAtFiveRandomMomentsLosesNothingAndDuplicatesNothing() throws Exception {
        Random moments = new Random(seed ^ 0x5DEECE66DL);
        List<Integer> thresholds = new ArrayList<>();
        List<Integer> extraDelays = new ArrayList<>();
        TreeSet<Integer> points = new TreeSet<>();
        while (points.size() < KILLS) {
            points.add(RECORDS / 20 + moments.nextInt(RECORDS * 17 / 20));
        }
        thresholds.addAll(points);
        for (int k = 0; k < KILLS; k++) {
            extraDelays.add(moments.nextInt(400));
        }
        System.out.printf("crash test: seed %d (reproduce with -Dcrash.seed=%d); SIGKILL after progress %s, "
                + "each plus a delay of %s ms%n", seed, seed, thresholds, extraDelays);

        long started = System.nanoTime();
        List<String> kills = new ArrayList<>();
        for (int k = 0; k < KILLS; k++) {
            ChildJar jar = start(k + 1);
            int threshold = thresholds.get(k);
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                        .until(() -> progress() >= threshold || !jar.isAlive());
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("run " + (k + 1) + " made no progress to " + threshold + " in 90s:\n"
                        + jar.tail(40), e);
            }
            assertThat(jar.isAlive()).as("run %d died by itself:%n%s", k + 1, jar.tail(40)).isTrue();
            // the random moment itself, not a wait for a condition
            Thread.sleep(extraDelays.get(k));
            int before = progress();
            jar.kill();
            kills.add(String.format("run %d killed at progress %d (pid %d)", k + 1, before, jar.pid()));
            System.out.println("crash test: " + kills.get(k));
        }

        ChildJar last = start(KILLS + 1);
        boolean finished = true;
        try {
            await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(200))
                    .until(() -> inSource().isEmpty() || !last.isAlive());
        } catch (ConditionTimeoutException e) {
            finished = false;
        }
        boolean diedByItself = !last.isAlive();
        last.stop(20);
        long millis = (System.nanoTime() - started) / 1_000_000;

        Accounting a = account();
        for (ChildJar r : runs) {
            String out = r.output();
            a.takeovers += count(out, "took over idempotency key");
            a.waitsForClaims += count(out, "(KeyInProgressException)");
        }
        a.print(seed, plans, kills, millis);
        assertThat(diedByItself).as("the last run died by itself:%n%s", last.tail(60)).isFalse();
        assertThat(finished).as("the last run did not empty the source in 150s:%n%s", last.tail(60)).isTrue();

        assertThat(a.lost).as("lost records").isEmpty();
        if (!a.notAsPlanned.isEmpty()) {
            for (int run = 0; run <= KILLS; run++) {
                Path log = dir.resolve("run-" + run + ".log");
                if (Files.exists(log)) {
                    Files.readAllLines(log).stream().filter(l -> l.contains("giving up")).limit(5)
                            .forEach(l -> System.out.println("RUN" + " " + l));
                }
            }
        }
        assertThat(a.deliveredAndParked).as("records both delivered and parked").isEmpty();
        assertThat(a.sinkDuplicates).as("records with two sink rows").isEmpty();
        assertThat(a.parkedTwice).as("records parked twice").isEmpty();
        assertThat(a.requestsWithoutKey).as("requests without Idempotency-Key").isZero();
        assertThat(a.recordsWithSeveralKeys).as("records sent under more than one key").isEmpty();
        assertThat(a.keysOfSeveralRecords).as("keys shared by records").isEmpty();
        assertThat(a.recordsBookedTwice).as("records booked twice by the ledger (duplicate side effects)").isEmpty();
        assertThat(a.sinkNotMatchingBooking).as("sink rows whose key or ref is not the ledger's one booking").isEmpty();
        assertThat(a.permanentRetriedInARun).as("400s retried within one run").isEmpty();
        assertThat(a.attemptsOverBudget).as("more than max-attempts calls of one key in one run").isEmpty();
        assertThat(a.retryAfterNotHonoured).as("calls sooner than Retry-After").isEmpty();
        assertThat(a.notAsPlanned).as("records that did not end as their fault plan says").isEmpty();
        assertThat(a.delivered.size() + a.parked.size()).isEqualTo(RECORDS);
        assertThat(runs).hasSize(KILLS + 1);
    }

    private ChildJar start(int run) throws IOException {
        ChildJar jar = pipeline.start(String.valueOf(run), dir.resolve("run-" + run + ".log"));
        runs.add(jar);
        return jar;
    }

    private static int count(String text, String fragment) {
        int n = 0;
        for (int i = text.indexOf(fragment); i >= 0; i = text.indexOf(fragment, i + 1)) {
            n++;
        }
        return n;
    }

    static String id(int i) {
        return String.format("r%05d", i);
    }

    private int progress() {
        return pipeline.progress();
    }

    private Set<String> inSource() throws IOException {
        return pipeline.inSource();
    }

    /** One parked entry, as the store keeps it. */
    record Parked(long id, String status, String reason, String key) {
    }

    /** One row of the sink. */
    record SinkRow(String key, String ref, String run) {
    }

    private Accounting account() throws Exception {
        Accounting a = new Accounting();
        try (Connection c = LedgerPipeline.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT record_id, idem_key, ledger_ref, run FROM " + pipeline.sinkTable)) {
                while (rs.next()) {
                    a.sinkRows.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new SinkRow(rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT id, status, give_up_reason, idempotency_key, body FROM "
                    + pipeline.parkedTable + " ORDER BY id")) {
                while (rs.next()) {
                    String body = new String(rs.getBytes(5), StandardCharsets.UTF_8);
                    a.parkedEntries.computeIfAbsent(FlakyLedger.recordId(body), k -> new ArrayList<>())
                            .add(new Parked(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        a.source.addAll(inSource());
        a.journal(ledger.getAllServeEvents());
        a.compute(plans, flaky);
        return a;
    }

    /** What happened to every record, from the sink, the parked store, the source and the ledger's journal. */
    static final class Accounting {
        final Map<String, List<SinkRow>> sinkRows = new TreeMap<>();
        final Map<String, List<Parked>> parkedEntries = new TreeMap<>();
        final Set<String> source = new TreeSet<>();
        final Set<String> delivered = new TreeSet<>();
        final Set<String> parked = new TreeSet<>();
        final Set<String> lost = new TreeSet<>();
        final Set<String> deliveredAndParked = new TreeSet<>();
        final Set<String> sinkDuplicates = new TreeSet<>();
        final Set<String> parkedTwice = new TreeSet<>();
        final Map<String, Integer> parkedByReason = new TreeMap<>();
        int requests;
        int requestsWithoutKey;
        final Map<String, Set<String>> keysByRecord = new TreeMap<>();
        final Map<String, Set<String>> recordsByKey = new HashMap<>();
        final Map<String, Integer> bookingsByRecord = new TreeMap<>();
        final Map<String, String> bookedRef = new HashMap<>();
        final Set<String> recordsWithSeveralKeys = new TreeSet<>();
        final Set<String> keysOfSeveralRecords = new TreeSet<>();
        final Set<String> recordsBookedTwice = new TreeSet<>();
        final Set<String> sinkNotMatchingBooking = new TreeSet<>();
        final Set<String> permanentRetriedInARun = new TreeSet<>();
        final Set<String> attemptsOverBudget = new TreeSet<>();
        final Set<String> retryAfterNotHonoured = new TreeSet<>();
        final Set<String> resentAfterSuccess = new TreeSet<>();
        final Set<String> notAsPlanned = new TreeSet<>();
        final Map<Integer, Integer> statuses = new TreeMap<>();
        int replayedAnswers;
        int takeovers;
        int waitsForClaims;
        int retryAfterChecked;
        long ledgerBookings;

        /** Per key and run, the calls in the order the ledger received them. */
        private final Map<String, List<ServeEvent>> callsByKeyAndRun = new HashMap<>();

        void journal(List<ServeEvent> events) {
            List<ServeEvent> sorted = new ArrayList<>(events);
            sorted.sort(Comparator.comparing(e -> e.getRequest().getLoggedDate()));
            for (ServeEvent e : sorted) {
                LoggedRequest r = e.getRequest();
                requests++;
                int status = e.getResponse().getStatus();
                statuses.merge(status, 1, Integer::sum);
                String key = r.getHeader("Idempotency-Key");
                String record = FlakyLedger.recordId(r.getBodyAsString());
                if (key == null) {
                    requestsWithoutKey++;
                    continue;
                }
                keysByRecord.computeIfAbsent(record, k -> new TreeSet<>()).add(key);
                recordsByKey.computeIfAbsent(key, k -> new TreeSet<>()).add(record);
                boolean replayed = e.getResponse().getHeaders().getHeader(FlakyLedger.REPLAYED_HEADER).isPresent();
                if (status / 100 == 2 && replayed) {
                    replayedAnswers++;
                    resentAfterSuccess.add(record);
                } else if (status / 100 == 2) {
                    bookingsByRecord.merge(record, 1, Integer::sum);
                    bookedRef.put(record, key + " " + e.getResponse().getBodyAsString());
                }
                callsByKeyAndRun.computeIfAbsent(key + " run " + r.getHeader("X-Run"), k -> new ArrayList<>()).add(e);
            }
        }

        void compute(Map<String, Plan> plans, FlakyLedger flaky) {
            ledgerBookings = flaky.bookings();
            delivered.addAll(sinkRows.keySet());
            parked.addAll(parkedEntries.keySet());
            sinkRows.forEach((id, rows) -> {
                if (rows.size() > 1) {
                    sinkDuplicates.add(id);
                }
                String booking = bookedRef.get(id);
                SinkRow row = rows.get(0);
                if (booking == null || !booking.equals(row.key() + " " + row.ref())) {
                    sinkNotMatchingBooking.add(id + " (sink " + row.key() + " " + row.ref() + ", ledger " + booking + ")");
                }
            });
            parkedEntries.forEach((id, entries) -> {
                if (entries.size() > 1) {
                    parkedTwice.add(id + " " + entries);
                }
                entries.forEach(p -> parkedByReason.merge(p.reason(), 1, Integer::sum));
            });
            for (String id : plans.keySet()) {
                boolean d = delivered.contains(id);
                boolean p = parked.contains(id);
                if (!d && !p && !source.contains(id)) {
                    lost.add(id);
                }
                if (d && p) {
                    deliveredAndParked.add(id);
                }
                Plan plan = plans.get(id);
                String expectedReason = plan.kind() == Kind.PERMANENT ? "PERMANENT" : "ATTEMPTS";
                boolean asPlanned = plan.kind().parks()
                        ? p && !d && parkedEntries.get(id).stream().allMatch(e -> e.reason().equals(expectedReason))
                        : d && !p;
                if (!asPlanned) {
                    notAsPlanned.add(id + " " + plan.kind() + (d ? " delivered" : "") + (p ? " parked "
                            + parkedEntries.get(id) : "") + (source.contains(id) ? " in source" : ""));
                }
            }
            keysByRecord.forEach((id, keys) -> {
                if (keys.size() > 1) {
                    recordsWithSeveralKeys.add(id + " " + keys);
                }
            });
            recordsByKey.forEach((key, ids) -> {
                if (ids.size() > 1) {
                    keysOfSeveralRecords.add(key + " " + ids);
                }
            });
            bookingsByRecord.forEach((id, n) -> {
                if (n > 1) {
                    recordsBookedTwice.add(id + " x" + n);
                }
            });
            callsByKeyAndRun.forEach((keyRun, calls) -> {
                long refusals = calls.stream().filter(e -> e.getResponse().getStatus() == 400).count();
                if (refusals > 1) {
                    permanentRetriedInARun.add(keyRun + ": " + refusals + " x 400");
                }
                if (calls.size() > MAX_ATTEMPTS) {
                    attemptsOverBudget.add(keyRun + ": " + calls.size() + " calls");
                }
                for (int i = 0; i + 1 < calls.size(); i++) {
                    if (calls.get(i).getResponse().getStatus() == 429) {
                        retryAfterChecked++;
                        long gap = calls.get(i + 1).getRequest().getLoggedDate().getTime()
                                - calls.get(i).getRequest().getLoggedDate().getTime();
                        if (gap < 1000) {
                            retryAfterNotHonoured.add(keyRun + ": next call " + gap + " ms after a 429 with Retry-After: 1");
                        }
                    }
                }
            });
        }

        void print(long seed, Map<String, Plan> plans, List<String> kills, long millis) {
            Map<Kind, Integer> kinds = new LinkedHashMap<>();
            plans.values().forEach(p -> kinds.merge(p.kind(), 1, Integer::sum));
            StringBuilder sb = new StringBuilder();
            sb.append("\n================ crash/restart accounting (seed ").append(seed).append(") ================\n");
            row(sb, "records in the source at start", RECORDS, " fault plans " + kinds);
            row(sb, "SIGKILLs", kills.size(), "");
            kills.forEach(k -> sb.append("    ").append(k).append('\n'));
            row(sb, "total time (6 runs)", millis / 1000, "s");
            sb.append("-- outcome of every record\n");
            row(sb, "delivered (rows in the sink)", delivered.size(), "");
            row(sb, "parked (distinct records)", parked.size(), " " + parkedByReason);
            row(sb, "still in the source", source.size(), "");
            row(sb, "lost", lost.size(), lost.isEmpty() ? "" : " " + first(lost));
            row(sb, "delivered and parked", deliveredAndParked.size(), "");
            row(sb, "not as the fault plan says", notAsPlanned.size(), notAsPlanned.isEmpty() ? "" : " " + first(notAsPlanned));
            row(sb, "claims taken over from a killed run", takeovers, " (copies that waited for a claim: "
                    + waitsForClaims + " attempts)");
            sb.append("-- duplicates\n");
            row(sb, "records with 2+ sink rows", sinkDuplicates.size(), "");
            row(sb, "records parked twice", parkedTwice.size(), parkedTwice.isEmpty() ? "" : " " + first(parkedTwice));
            row(sb, "records booked twice (side effects)", recordsBookedTwice.size(), "");
            row(sb, "sink rows not matching the booking", sinkNotMatchingBooking.size(), "");
            sb.append("-- the ledger's journal, grouped by Idempotency-Key\n");
            row(sb, "requests", requests, " " + statuses);
            row(sb, "requests without Idempotency-Key", requestsWithoutKey, "");
            row(sb, "distinct keys", recordsByKey.size(), "");
            row(sb, "records sent under 2+ keys", recordsWithSeveralKeys.size(), "");
            row(sb, "keys shared by 2+ records", keysOfSeveralRecords.size(), "");
            row(sb, "bookings (first 2xx of a key)", (int) ledgerBookings, "");
            row(sb, "keys re-sent after their 2xx", resentAfterSuccess.size(), " (" + replayedAnswers
                    + " requests; answered from the ledger's key store, no second booking)");
            row(sb, "400s retried within one run", permanentRetriedInARun.size(), "");
            row(sb, "keys over max-attempts in one run", attemptsOverBudget.size(), "");
            row(sb, "calls sooner than Retry-After", retryAfterNotHonoured.size(), " (of " + retryAfterChecked
                    + " calls after a 429)");
            sb.append("=".repeat(78)).append('\n');
            System.out.println(sb);
        }

        private static void row(StringBuilder sb, String name, long value, String note) {
            sb.append(String.format("%-40s %6d%s%n", name, value, note));
        }

        private static String first(Set<String> s) {
            return s.stream().limit(5).toList() + (s.size() > 5 ? " ..." : "");
        }
    }
}
