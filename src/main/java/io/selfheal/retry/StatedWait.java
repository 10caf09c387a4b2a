package io.selfheal.retry;

import java.time.Duration;

/** A wait someone other than the backoff curve asked for: the upstream's Retry-After, or an open breaker. */
public record StatedWait(Duration duration, DelaySource source) {
    public static StatedWait retryAfter(Duration wait) {
        return new StatedWait(wait, DelaySource.RETRY_AFTER);
    }

    public static StatedWait breaker(Duration wait) {
        return new StatedWait(wait, DelaySource.BREAKER);
    }
}
