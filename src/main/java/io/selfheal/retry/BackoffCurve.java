package io.selfheal.retry;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter that stays alive at the cap.
 * <p>
 * The nominal delay before retry n is {@code initial × multiplier^(n-1)}, capped at {@code max}. Each actual delay is
 * drawn uniformly from {@code [nominal × (1 - jitter), min(nominal × (1 + jitter), max)]}: so it is inside the ±jitter
 * band, never above the cap, and at the cap it still spreads over {@code [max × (1 - jitter), max]}. Stock Camel
 * applies the cap after jitter, so every client waits exactly the cap, in lock step.
 */
public record BackoffCurve(Duration initialDelay, double multiplier, Duration maxDelay, double jitter) {

    /** The curve's delay before retry {@code n} (n = 1 for the first retry), without jitter. */
    public long nominalMillis(int n) {
        double d = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, n - 1));
        return (long) Math.min(d, maxDelay.toMillis());
    }

    /** The lowest delay a draw for retry n can give. */
    public long lowerBoundMillis(int n) {
        return (long) Math.floor(nominalMillis(n) * (1 - jitter));
    }

    /** The highest delay a draw for retry n can give: never above the cap. */
    public long upperBoundMillis(int n) {
        return (long) Math.min(Math.ceil(nominalMillis(n) * (1 + jitter)), maxDelay.toMillis());
    }

    /** One jittered delay before retry n. */
    public Duration delay(int n, RandomGenerator random) {
        long low = lowerBoundMillis(n);
        long high = upperBoundMillis(n);
        long millis = high <= low ? low : low + (long) Math.floor(random.nextDouble() * (high - low + 1));
        return Duration.ofMillis(Math.min(millis, high));
    }
}
