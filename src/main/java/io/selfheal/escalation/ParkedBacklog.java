package io.selfheal.escalation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The parked backlog by status, for a gauge: counted in the store at most once per {@code maxAge}, so a scrape (one
 * gauge per status) costs one query, not one per status, and a store that is down gives NaN instead of an error.
 */
public final class ParkedBacklog {
    private final ParkedStore store;
    private final Clock clock;
    private final Duration maxAge;
    private Map<ParkedStatus, Long> counts = Map.of();
    private Instant countedAt = Instant.MIN;
    private boolean failed;

    public ParkedBacklog(ParkedStore store, Clock clock, Duration maxAge) {
        this.store = store;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    public synchronized double count(ParkedStatus status) {
        Instant now = clock.instant();
        if (countedAt.plus(maxAge).isBefore(now)) {
            try {
                counts = store.countByStatus();
                failed = false;
            } catch (RuntimeException e) {
                failed = true;
            }
            countedAt = now;
        }
        return failed ? Double.NaN : counts.getOrDefault(status, 0L);
    }
}
