package io.selfheal.retry;

import io.selfheal.classify.FailureClass;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What has happened to one exchange at one call site so far: how many attempts failed, when the first and last did,
 * and a short outcome for each. Immutable; each failure makes a new one.
 */
public record AttemptHistory(int failures, Instant firstFailureAt, Instant lastFailureAt, List<String> outcomes,
                             FailureClass lastClass) {
    /** Outcomes kept for the summary; a long retry loop keeps its first and most recent ones. */
    static final int MAX_OUTCOMES = 64;

    public AttemptHistory {
        outcomes = List.copyOf(outcomes);
    }

    public static AttemptHistory none() {
        return new AttemptHistory(0, null, null, List.of(), null);
    }

    public AttemptHistory record(String outcome, FailureClass failureClass, Instant now) {
        List<String> next = new ArrayList<>(outcomes);
        next.add(outcome);
        if (next.size() > MAX_OUTCOMES) {
            next.remove(MAX_OUTCOMES / 2);
        }
        return new AttemptHistory(failures + 1, firstFailureAt == null ? now : firstFailureAt, now,
                Collections.unmodifiableList(next), failureClass);
    }

    /** Time since the first failure (zero before any). */
    public Duration elapsed(Instant now) {
        return firstFailureAt == null ? Duration.ZERO : Duration.between(firstFailureAt, now);
    }
}
