package io.selfheal.retry;

import java.time.Duration;

/** The outcome of one failed attempt: retry after a delay from a named source, or give up for one reason. */
public record RetryDecision(boolean retry, Duration delay, DelaySource source, GiveUpReason reason) {

    public static RetryDecision retryAfter(Duration delay, DelaySource source) {
        return new RetryDecision(true, delay, source, null);
    }

    public static RetryDecision giveUp(GiveUpReason reason) {
        return new RetryDecision(false, Duration.ZERO, null, reason);
    }

    @Override
    public String toString() {
        return retry ? "retry in " + delay.toMillis() + "ms (" + source + ")" : "give up (" + reason + ")";
    }
}
