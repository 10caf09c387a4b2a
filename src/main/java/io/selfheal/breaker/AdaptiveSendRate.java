package io.selfheal.breaker;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A client-side send rate for one upstream, after the AWS SDKs' adaptive retry mode (their {@code ClientRateLimiter}):
 * a token bucket that is off until the upstream first throttles (a 429, or any answer with Retry-After), then drops
 * the rate multiplicatively ({@link #BETA}) on each throttle and climbs back along a CUBIC curve, anchored at the rate
 * in force when the throttle came, as calls succeed. So the calls to a rate-limited upstream follow its real capacity
 * instead of bursting into it.
 * <p>
 * Two refinements of the SDKs' algorithm, both for many callers sharing one upstream:
 * <ul>
 *     <li>Sending is booked, not slept: {@link #reserve} hands out the next free send slot and returns the wait until
 *     it (the bucket may go below zero), so callers that queue are spread one slot apart and no thread waits.</li>
 *     <li>A throttle lowers the rate only when its call was sent after the last decrease: the answers to calls sent at
 *     the old rate say nothing about the new one (one decrease per round trip, as TCP does). Without it, eight
 *     callers throttled in the same instant would cut the rate to 0.7^8 of what the upstream takes.</li>
 * </ul>
 * The burst (the tokens the bucket can hold) is {@code rate × burstWindow}, at least one call, so a hold that ends or
 * a queue that forms is released at most a burst at a time. Thread-safe; the happy path (not engaged) takes no lock.
 */
public final class AdaptiveSendRate {
    /** Multiplicative decrease on a throttle (the SDKs' beta). */
    static final double BETA = 0.7;
    /** Scale of the CUBIC climb, in calls/s per s³ (the SDKs' scale constant). */
    static final double SCALE_CONSTANT = 0.4;
    /** Weight of the newest measurement in the smoothed send rate. */
    static final double SMOOTHING = 0.8;
    /** The send rate is measured in buckets of this many seconds. */
    static final double MEASURE_BUCKET_SECONDS = 0.5;
    /** The rate never falls below this (calls/s): a throttled upstream is still asked now and then. */
    static final double MIN_RATE = 0.5;

    private final LongSupplier nanoTime;
    private final Duration burstWindow;
    private final long startNanos;

    private volatile boolean engaged;
    // all below guarded by this
    private double fillRate;
    private double capacity;
    private double tokens;
    private double lastRefillSeconds;
    private double lastMaxRate;
    private double lastThrottleSeconds;
    private double timeWindow;
    private double lastDecreaseSeconds = Double.NEGATIVE_INFINITY;
    private double measuredRate;
    private double measureBucketStart;
    private long sentInBucket;
    private long sentSinceStart;
    private long throttles;
    private long decreases;

    /** @param nanoTime the time source ({@code System::nanoTime}; a test's own) */
    public AdaptiveSendRate(LongSupplier nanoTime, Duration burstWindow) {
        this.nanoTime = Objects.requireNonNull(nanoTime);
        this.burstWindow = Objects.requireNonNull(burstWindow);
        this.startNanos = nanoTime.getAsLong();
        double now = seconds();
        this.measureBucketStart = Math.floor(now / MEASURE_BUCKET_SECONDS) * MEASURE_BUCKET_SECONDS;
        this.lastRefillSeconds = now;
    }

    /** True once the upstream has throttled: calls then queue for send slots. */
    public boolean engaged() {
        return engaged;
    }

    /** The rate calls are let through at, in calls/s; infinite while not engaged. */
    public synchronized double rate() {
        return engaged ? fillRate : Double.POSITIVE_INFINITY;
    }

    /** Calls the bucket can let through at once. */
    public synchronized double burst() {
        return engaged ? capacity : Double.POSITIVE_INFINITY;
    }

    /** The measured (smoothed) rate of calls sent, in calls/s. */
    public synchronized double measuredRate() {
        return measuredRate;
    }

    /** Throttles seen, and how many of them lowered the rate. */
    public synchronized long throttles() {
        return throttles;
    }

    public synchronized long decreases() {
        return decreases;
    }

    /**
     * Books the next send slot: zero when the call may go now (or the rate is not engaged), else the wait until its
     * slot. The slot is taken: a caller that comes back after the wait sends without booking again.
     */
    public Duration reserve() {
        if (!engaged) {
            return Duration.ZERO;
        }
        synchronized (this) {
            double now = seconds();
            refill(now);
            tokens -= 1;
            if (tokens >= 0) {
                return Duration.ZERO;
            }
            return Duration.ofNanos((long) Math.ceil(-tokens / fillRate * 1e9));
        }
    }

    /** A call was sent: feeds the measured send rate. */
    public void onSend() {
        synchronized (this) {
            double now = seconds();
            sentSinceStart++;
            measure(now);
        }
    }

    /** The upstream answered without throttling: the rate climbs along the curve. */
    public void onSuccess() {
        if (!engaged) {
            return;
        }
        synchronized (this) {
            double now = seconds();
            double cubic = SCALE_CONSTANT * Math.pow(now - lastThrottleSeconds - timeWindow, 3) + lastMaxRate;
            setRate(now, Math.min(cubic, 2 * Math.max(measuredRate, MIN_RATE)));
        }
    }

    /**
     * The upstream throttled a call.
     *
     * @param sentNanos {@link #nanoTime()} when that call was sent
     */
    public void onThrottle(long sentNanos) {
        synchronized (this) {
            double now = seconds();
            throttles++;
            double sentAt = (sentNanos - startNanos) / 1e9;
            if (engaged && sentAt < lastDecreaseSeconds) {
                return;
            }
            double current = engaged ? Math.min(measuredOrEstimate(now), fillRate) : measuredOrEstimate(now);
            lastMaxRate = Math.max(current, MIN_RATE);
            timeWindow = Math.cbrt(lastMaxRate * (1 - BETA) / SCALE_CONSTANT);
            lastThrottleSeconds = now;
            lastDecreaseSeconds = now;
            decreases++;
            if (!engaged) {
                tokens = 0;
                lastRefillSeconds = now;
            }
            setRate(now, lastMaxRate * BETA);
            engaged = true;
        }
    }

    /**
     * The upstream is back after an outage: pace the callers released at once, starting below {@code rate} and
     * climbing back to it along the curve.
     */
    public void rampFrom(double rate) {
        synchronized (this) {
            double now = seconds();
            lastMaxRate = Math.max(rate, MIN_RATE);
            timeWindow = Math.cbrt(lastMaxRate * (1 - BETA) / SCALE_CONSTANT);
            lastThrottleSeconds = now;
            lastDecreaseSeconds = now;
            if (!engaged) {
                tokens = 0;
                lastRefillSeconds = now;
            }
            setRate(now, lastMaxRate * BETA);
            engaged = true;
        }
    }

    private void setRate(double now, double newRate) {
        refill(now);
        fillRate = Math.max(newRate, MIN_RATE);
        capacity = Math.max(fillRate * burstWindow.toNanos() / 1e9, 1.0);
        tokens = Math.min(tokens, capacity);
    }

    private void refill(double now) {
        if (now > lastRefillSeconds) {
            tokens = Math.min(capacity, tokens + (now - lastRefillSeconds) * fillRate);
            lastRefillSeconds = now;
        }
    }

    private void measure(double now) {
        double bucket = Math.floor(now / MEASURE_BUCKET_SECONDS) * MEASURE_BUCKET_SECONDS;
        sentInBucket++;
        if (bucket > measureBucketStart) {
            double current = sentInBucket / (bucket - measureBucketStart);
            measuredRate = current * SMOOTHING + measuredRate * (1 - SMOOTHING);
            sentInBucket = 0;
            measureBucketStart = bucket;
        }
    }

    /**
     * The measured send rate, or before a whole bucket was measured the calls sent so far over the time since the
     * first: the SDKs start from zero there, which would pin a fast caller at the minimum rate at its first throttle.
     */
    private double measuredOrEstimate(double now) {
        if (measuredRate > 0) {
            return measuredRate;
        }
        double elapsed = Math.max(now, MEASURE_BUCKET_SECONDS / 5);
        return sentSinceStart / elapsed;
    }

    /** Now, on the time source {@link #onThrottle} takes send times from. */
    public long nanoTime() {
        return nanoTime.getAsLong();
    }

    private double seconds() {
        return (nanoTime.getAsLong() - startNanos) / 1e9;
    }

    @Override
    public synchronized String toString() {
        return engaged ? String.format(java.util.Locale.ROOT, "%.1f calls/s (burst %.0f)", fillRate, capacity) : "not engaged";
    }
}
