package io.selfheal.runs;

import io.selfheal.retry.DelaySource;
import io.selfheal.retry.GiveUpReason;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counts of one run in progress. Every method may be called from many threads at once (the split's parallel
 * items, the redelivery threads); each count is exact. {@link #snapshot()} reads each count once: taken while threads
 * still record, it may catch one record delivered but not yet its call, so the final snapshot is taken when the run's
 * work is over. Records delivered later by a replay are not counted here but by {@link RunStore#deliveredByReplay},
 * which also reaches runs that are over.
 */
public final class RunTally {
    /** The upstream of a call or parked record that names none. */
    public static final String UNKNOWN_UPSTREAM = "unknown";

    private final LongAdder records = new LongAdder();
    private final LongAdder firstTry = new LongAdder();
    private final LongAdder afterRetries = new LongAdder();
    private final Map<GiveUpReason, LongAdder> parked = new ConcurrentHashMap<>();
    private final Map<String, Upstream> upstreams = new ConcurrentHashMap<>();
    private final Map<DelaySource, LongAdder> waitedMillis = new ConcurrentHashMap<>();
    private final AtomicInteger maxParkedAttempts = new AtomicInteger();
    private final AtomicLong longestParkedMillis = new AtomicLong();

    private static final class Upstream {
        final LongAdder calls = new LongAdder();
        final LongAdder retries = new LongAdder();
        final Map<String, LongAdder> parkedFailures = new ConcurrentHashMap<>();
    }

    /** {@code n} more records in the run (the split's size when known, or one per record as it starts). */
    public void records(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("records must not be negative: " + n);
        }
        records.add(n);
    }

    public void deliveredFirstTry() {
        firstTry.increment();
    }

    public void deliveredAfterRetries() {
        afterRetries.increment();
    }

    /** One call to an upstream; {@code retry} when it was not the record's first. */
    public void call(String upstream, boolean retry) {
        Upstream u = upstream(upstream);
        u.calls.increment();
        if (retry) {
            u.retries.increment();
        }
    }

    /** Time waited before an attempt (backoff, Retry-After, an open breaker, a send slot). */
    public void waited(DelaySource source, Duration wait) {
        Objects.requireNonNull(source, "source");
        waitedMillis.computeIfAbsent(source, s -> new LongAdder()).add(Math.max(0, wait.toMillis()));
    }

    /**
     * A record was given up and parked.
     *
     * @param attemptFailures what each of its attempts saw from {@code upstream} ("500", "connect timeout"), in order
     */
    public void parked(GiveUpReason reason, int attempts, Duration elapsed, String upstream,
                       List<String> attemptFailures) {
        Objects.requireNonNull(reason, "reason");
        parked.computeIfAbsent(reason, r -> new LongAdder()).increment();
        maxParkedAttempts.accumulateAndGet(attempts, Math::max);
        longestParkedMillis.accumulateAndGet(Math.max(0, elapsed.toMillis()), Math::max);
        Upstream u = upstream(upstream);
        for (String failure : attemptFailures) {
            u.parkedFailures.computeIfAbsent(failure == null || failure.isBlank() ? "an unknown failure" : failure,
                    f -> new LongAdder()).increment();
        }
    }

    private Upstream upstream(String name) {
        return upstreams.computeIfAbsent(name == null || name.isBlank() ? UNKNOWN_UPSTREAM : name, n -> new Upstream());
    }

    public RunCounts snapshot() {
        Map<GiveUpReason, Long> parkedNow = new EnumMap<>(GiveUpReason.class);
        parked.forEach((r, n) -> parkedNow.put(r, n.sum()));
        Map<String, UpstreamRunCounts> ups = new LinkedHashMap<>();
        upstreams.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            Map<String, Long> failures = new LinkedHashMap<>();
            e.getValue().parkedFailures.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(f -> failures.put(f.getKey(), f.getValue().sum()));
            ups.put(e.getKey(), new UpstreamRunCounts(e.getValue().calls.sum(), e.getValue().retries.sum(), failures));
        });
        Map<DelaySource, Duration> waits = new EnumMap<>(DelaySource.class);
        waitedMillis.forEach((s, ms) -> waits.put(s, Duration.ofMillis(ms.sum())));
        return new RunCounts(records.sum(), firstTry.sum(), afterRetries.sum(), 0, parkedNow, ups, waits,
                maxParkedAttempts.get(), Duration.ofMillis(longestParkedMillis.get()));
    }
}
