package io.selfheal.retry;

import java.time.Duration;

/** A wait someone other than the backoff curve asked for: the upstream's Retry-After, an open breaker, or the
 * upstream's send rate (a slot booked for the call). */
public record StatedWait(Duration duration, DelaySource source) {
    public static StatedWait retryAfter(Duration wait) {
        return new StatedWait(wait, DelaySource.RETRY_AFTER);
    }

    public static StatedWait breaker(Duration wait) {
        return new StatedWait(wait, DelaySource.BREAKER);
    }

    public static StatedWait sendRate(Duration wait) {
        return new StatedWait(wait, DelaySource.SEND_RATE);
    }
}
