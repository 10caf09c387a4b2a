package io.selfheal.runs;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * One upstream's share of a run: the calls made to it, how many of them were retries, and what the attempts of the
 * records that were parked saw from it (a status such as "500", or a short failure such as "connect timeout"), each
 * with the number of attempts that saw it. Immutable.
 */
public record UpstreamRunCounts(long calls, long retries, Map<String, Long> parkedFailures) {
    public static final UpstreamRunCounts NONE = new UpstreamRunCounts(0, 0, Map.of());

    public UpstreamRunCounts {
        if (calls < 0 || retries < 0) {
            throw new IllegalArgumentException("calls and retries must not be negative");
        }
        parkedFailures = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(parkedFailures)));
    }

    /** Attempts of parked records that failed at this upstream. */
    public long parkedFailedAttempts() {
        return parkedFailures.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * What the parked records' attempts saw from {@code upstream}, for a page: "all attempts returned 500 from
     * inventory-service", or, when they saw several things, "attempts returned 500 (6), 503 (2) from inventory-service"
     * (most frequent first); empty when no parked record called it.
     */
    public String failureSummary(String upstream) {
        if (parkedFailures.isEmpty()) {
            return "";
        }
        if (parkedFailures.size() == 1) {
            return "all attempts returned " + parkedFailures.keySet().iterator().next() + " from " + upstream;
        }
        StringJoiner seen = new StringJoiner(", ", "attempts returned ", " from " + upstream);
        parkedFailures.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> seen.add(e.getKey() + " (" + RunPage.number(e.getValue()) + ")"));
        return seen.toString();
    }
}
