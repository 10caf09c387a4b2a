package io.selfheal.runs;

import io.selfheal.json.Json;
import io.selfheal.retry.DelaySource;
import io.selfheal.retry.GiveUpReason;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one run did, counted: records in the run, how they were delivered or parked, the calls and retries per
 * upstream, the time spent waiting by source, and the worst of the parked records. Immutable; a {@link RunTally}
 * builds it while the run is in progress, the {@link RunStore} keeps it as JSON.
 *
 * @param records               records in the run (split items, or the exchange itself)
 * @param deliveredFirstTry     delivered on their first attempt
 * @param deliveredAfterRetries delivered after one or more retries
 * @param deliveredLater        parked, then delivered by a replay
 * @param parkedByReason        records still parked, by the reason retrying gave up
 * @param upstreams             per upstream, by name: calls, retries and what the parked records saw from it
 * @param waited                time spent waiting before attempts, by where the wait came from
 * @param maxParkedAttempts     the largest attempt count among the parked records (0 when none was parked)
 * @param longestParkedElapsed  the longest time from first attempt to give-up among the parked records
 */
public record RunCounts(long records, long deliveredFirstTry, long deliveredAfterRetries, long deliveredLater,
                        Map<GiveUpReason, Long> parkedByReason, Map<String, UpstreamRunCounts> upstreams,
                        Map<DelaySource, Duration> waited, int maxParkedAttempts, Duration longestParkedElapsed) {
    public static final RunCounts EMPTY = new RunCounts(0, 0, 0, 0, Map.of(), Map.of(), Map.of(), 0, Duration.ZERO);

    public RunCounts {
        if (records < 0 || deliveredFirstTry < 0 || deliveredAfterRetries < 0 || deliveredLater < 0
                || maxParkedAttempts < 0) {
            throw new IllegalArgumentException("run counts must not be negative");
        }
        EnumMap<GiveUpReason, Long> parked = new EnumMap<>(GiveUpReason.class);
        parkedByReason.forEach((reason, n) -> {
            if (n < 0) {
                throw new IllegalArgumentException("parked " + reason + " must not be negative: " + n);
            }
            if (n > 0) {
                parked.put(reason, n);
            }
        });
        parkedByReason = Collections.unmodifiableMap(parked);
        upstreams = Collections.unmodifiableMap(new TreeMap<>(upstreams)); // by name, whatever map it came in
        EnumMap<DelaySource, Duration> waits = new EnumMap<>(DelaySource.class);
        waits.putAll(waited);
        waited = Collections.unmodifiableMap(waits);
        Objects.requireNonNull(longestParkedElapsed, "longestParkedElapsed");
    }

    /** Records still parked, every reason. */
    public long parked() {
        return parkedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    public long parked(GiveUpReason reason) {
        return parkedByReason.getOrDefault(reason, 0L);
    }

    /** Records delivered, however. */
    public long delivered() {
        return deliveredFirstTry + deliveredAfterRetries + deliveredLater;
    }

    /** Records that needed more than their first attempt: delivered after retries or by replay, or parked. */
    public long neededRetries() {
        return deliveredAfterRetries + deliveredLater + parked();
    }

    /** Calls to every upstream. */
    public long calls() {
        return upstreams.values().stream().mapToLong(UpstreamRunCounts::calls).sum();
    }

    /** Retries to every upstream. */
    public long retries() {
        return upstreams.values().stream().mapToLong(UpstreamRunCounts::retries).sum();
    }

    public Duration waited(DelaySource source) {
        return waited.getOrDefault(source, Duration.ZERO);
    }

    /**
     * One parked record of {@code reason} was delivered by a replay: parked one fewer, delivered later one more.
     *
     * @throws IllegalStateException when no record of that reason is parked
     */
    public RunCounts replayDelivered(GiveUpReason reason) {
        return replayDelivered(reason, 1);
    }

    /**
     * {@code n} parked records of {@code reason} were delivered by replays.
     *
     * @throws IllegalStateException when fewer than {@code n} records of that reason are parked
     */
    public RunCounts replayDelivered(GiveUpReason reason, long n) {
        long now = parked(reason);
        if (n < 0 || now < n) {
            throw new IllegalStateException(now + " records parked as " + reason + ", not " + n);
        }
        Map<GiveUpReason, Long> parked = new EnumMap<>(GiveUpReason.class);
        parked.putAll(parkedByReason);
        parked.put(reason, now - n);
        return new RunCounts(records, deliveredFirstTry, deliveredAfterRetries, deliveredLater + n, parked, upstreams,
                waited, maxParkedAttempts, longestParkedElapsed);
    }

    /** As stored: compact JSON with reasons by name and waits by source label, in milliseconds. */
    public String toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("records", records);
        out.put("firstTry", deliveredFirstTry);
        out.put("afterRetries", deliveredAfterRetries);
        out.put("later", deliveredLater);
        Map<String, Object> parked = new LinkedHashMap<>();
        parkedByReason.forEach((r, n) -> parked.put(r.name(), n));
        out.put("parked", parked);
        Map<String, Object> ups = new LinkedHashMap<>();
        upstreams.forEach((name, u) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("calls", u.calls());
            one.put("retries", u.retries());
            one.put("parkedFailures", u.parkedFailures());
            ups.put(name, one);
        });
        out.put("upstreams", ups);
        Map<String, Object> waits = new LinkedHashMap<>();
        waited.forEach((s, d) -> waits.put(s.label(), d.toMillis()));
        out.put("waitedMillis", waits);
        out.put("maxParkedAttempts", maxParkedAttempts);
        out.put("longestParkedMillis", longestParkedElapsed.toMillis());
        return Json.write(out);
    }

    /**
     * Reads {@link #toJson()}'s form. A reason or wait source this version does not know (written by a newer one) is
     * left out rather than failing the whole run's record.
     *
     * @throws IllegalArgumentException when the text is not such an object
     */
    public static RunCounts fromJson(String json) {
        Map<String, Object> in = Json.readObject(json);
        Map<GiveUpReason, Long> parked = new EnumMap<>(GiveUpReason.class);
        map(in, "parked").forEach((k, v) -> known(GiveUpReason.class, k).ifPresent(r -> parked.put(r, number(v))));
        Map<String, UpstreamRunCounts> ups = new LinkedHashMap<>();
        map(in, "upstreams").forEach((name, v) -> {
            Map<String, Object> one = asMap(v);
            Map<String, Long> failures = new LinkedHashMap<>();
            map(one, "parkedFailures").forEach((k, n) -> failures.put(k, number(n)));
            ups.put(name, new UpstreamRunCounts(number(one.get("calls")), number(one.get("retries")), failures));
        });
        Map<DelaySource, Duration> waits = new EnumMap<>(DelaySource.class);
        map(in, "waitedMillis").forEach((label, ms) -> {
            for (DelaySource s : DelaySource.values()) {
                if (s.label().equals(label)) {
                    waits.put(s, Duration.ofMillis(number(ms)));
                }
            }
        });
        return new RunCounts(number(in.get("records")), number(in.get("firstTry")), number(in.get("afterRetries")),
                number(in.get("later")), parked, ups, waits, (int) number(in.get("maxParkedAttempts")),
                Duration.ofMillis(number(in.get("longestParkedMillis"))));
    }

    private static Map<String, Object> map(Map<String, Object> in, String key) {
        return asMap(in.get(key));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object v) {
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("expected an object, got " + v);
        }
        return (Map<String, Object>) v;
    }

    private static long number(Object v) {
        if (v == null) {
            return 0;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("expected a number, got " + v);
        }
        return n.longValue();
    }

    private static <E extends Enum<E>> java.util.Optional<E> known(Class<E> type, String name) {
        try {
            return java.util.Optional.of(Enum.valueOf(type, name));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }
}
