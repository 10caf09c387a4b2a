package io.selfheal.retry;

import io.selfheal.classify.FailureClass;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What has happened to one exchange at one call site so far: how many calls to the upstream failed, how many
 * attempts were turned away before any call was made (the upstream's breaker was open, or a Retry-After hold was on),
 * when the first and last of either happened, and a short outcome for each failed call. Immutable; each failure makes
 * a new one.
 * <p>
 * The two counts are kept apart because they mean different things: a failed call spent one of the exchange's
 * {@code max-attempts} and put load on the upstream; a refused attempt did neither, it only waited (so only
 * {@code max-duration} bounds it).
 *
 * @param failures      failed calls that reached the upstream (the attempts counted against max-attempts)
 * @param refusals      attempts turned away at the gate, no call made
 * @param lastRefused   the latest failure was a refusal, not a failed call
 * @param outcomes      one short outcome per failed call, in order ("HTTP 503"); refusals are not listed
 */
public record AttemptHistory(int failures, int refusals, boolean lastRefused, Instant firstFailureAt,
                             Instant lastFailureAt, List<String> outcomes, FailureClass lastClass) {
    /** Outcomes kept for the summary; a long retry loop keeps its first and most recent ones. */
    static final int MAX_OUTCOMES = 64;

    public AttemptHistory {
        outcomes = List.copyOf(outcomes);
    }

    public static AttemptHistory none() {
        return new AttemptHistory(0, 0, false, null, null, List.of(), null);
    }

    /** A call that reached the upstream (or was sent towards it) and failed. */
    public AttemptHistory record(String outcome, FailureClass failureClass, Instant now) {
        List<String> next = new ArrayList<>(outcomes);
        next.add(outcome);
        if (next.size() > MAX_OUTCOMES) {
            next.remove(MAX_OUTCOMES / 2);
        }
        return new AttemptHistory(failures + 1, refusals, false, firstFailureAt == null ? now : firstFailureAt, now,
                Collections.unmodifiableList(next), failureClass);
    }

    /**
     * An attempt the gate turned away before any call was made: a wait, not an attempt at the upstream. It does not
     * count against max-attempts, but it starts the max-duration clock when it is the first failure.
     */
    public AttemptHistory refused(FailureClass failureClass, Instant now) {
        return new AttemptHistory(failures, refusals + 1, true, firstFailureAt == null ? now : firstFailureAt, now,
                outcomes, failureClass);
    }

    /**
     * An attempt the upstream's send rate made wait for its slot before the exchange's first failure: queueing, as in
     * its source's queue, not retrying, so it does not start the max-duration clock (once retrying has begun, such a
     * wait counts toward max-duration like any other).
     */
    public AttemptHistory queued(FailureClass failureClass, Instant now) {
        if (firstFailureAt != null) {
            return refused(failureClass, now);
        }
        return new AttemptHistory(failures, refusals + 1, true, null, now, outcomes, failureClass);
    }

    /** Time since the first failure (zero before any). */
    public Duration elapsed(Instant now) {
        return firstFailureAt == null ? Duration.ZERO : Duration.between(firstFailureAt, now);
    }
}
