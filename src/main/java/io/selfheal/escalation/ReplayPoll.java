package io.selfheal.escalation;

import java.time.Duration;
import java.time.Instant;

/**
 * The last poll of one job's replay poller, as it recorded it in the parked store: which job ({@code host:pid/context}),
 * when, how often it polls, and when it stopped (null while it runs). A job on another host against the same database
 * records its polls there too, so this is how the command line knows whether anything will carry out a replay.
 */
public record ReplayPoll(String instance, Instant polledAt, Duration interval, Instant stoppedAt) {
    /**
     * Beyond three poll intervals a poller has missed its polls; the five seconds more allow for a slow poll and
     * for the clocks of two hosts that differ a little (the store's timestamps come from each host's clock).
     */
    static final int MISSED_POLLS = 3;
    static final Duration SLACK = Duration.ofSeconds(5);

    /** Whether this poller still polls at {@code now}: not stopped, and its last poll within three intervals. */
    public boolean live(Instant now) {
        return stoppedAt == null && !polledAt.plus(interval.multipliedBy(MISSED_POLLS)).plus(SLACK).isBefore(now);
    }
}
