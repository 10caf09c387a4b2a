package io.selfheal.breaker;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Events per second, counted in buckets of {@link #BUCKET_SECONDS} and smoothed as the AWS SDKs' adaptive retry
 * measures its send rate. Counting is one atomic increment; the smoothing runs once per bucket, under a lock.
 */
final class RateMeter {
    static final double BUCKET_SECONDS = 0.5;
    /** Weight of the newest bucket in the smoothed rate. */
    static final double SMOOTHING = 0.8;

    private final AtomicLong inBucket = new AtomicLong();
    private volatile double bucketStart = Double.NaN;
    private volatile double smoothed;
    private volatile double lastBucket;

    /** Counts one event at {@code now} (seconds on the owner's time source). */
    void record(double now) {
        double start = bucketStart;
        if (Double.isNaN(start) || now >= start + BUCKET_SECONDS) {
            roll(now);
        }
        inBucket.incrementAndGet();
    }

    private synchronized void roll(double now) {
        double start = bucketStart;
        if (Double.isNaN(start)) {
            // the first bucket begins at the first event, so a rate read before it is whole is not diluted
            bucketStart = now;
            return;
        }
        double bucket = start + Math.floor((now - start) / BUCKET_SECONDS) * BUCKET_SECONDS;
        if (bucket <= start) {
            return;
        }
        double current = inBucket.getAndSet(0) / (bucket - start);
        lastBucket = current;
        smoothed = current * SMOOTHING + smoothed * (1 - SMOOTHING);
        bucketStart = bucket;
    }

    /**
     * The rate of late, unsmoothed: the current bucket once half of it has passed, else the last whole one (0 until
     * one was counted). Smoothing trails a rate that moves fast, as a send rate in slow start does.
     */
    double recent(double now) {
        double start = bucketStart;
        if (!Double.isNaN(start) && now - start >= BUCKET_SECONDS / 2) {
            return inBucket.get() / (now - start);
        }
        return lastBucket;
    }

    /** The smoothed rate; 0 until a whole bucket was counted. */
    double smoothed() {
        return smoothed;
    }

    /**
     * The smoothed rate, or before a whole bucket was counted the events of the current one over the time since it
     * began (at least a fifth of a bucket): the SDKs start from zero there, which would pin a fast caller at the
     * minimum rate at its first throttle.
     */
    double rate(double now) {
        double s = smoothed;
        if (s > 0) {
            return s;
        }
        double start = bucketStart;
        if (Double.isNaN(start)) {
            return 0;
        }
        return inBucket.get() / Math.max(now - start, BUCKET_SECONDS / 5);
    }
}
