package io.selfheal.bench.faults;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/** What a contender did with each message, on the client side: when a worker took it, when it ended, and how. */
public final class Recorder {
    private final AtomicLongArray pickedUp;
    private final AtomicLongArray finished;
    private final AtomicIntegerArray outcome; // 0 open, 1 delivered, 2 failed
    private final AtomicInteger delivered = new AtomicInteger();
    private final CountDownLatch done;

    public Recorder(int messages) {
        pickedUp = new AtomicLongArray(messages);
        finished = new AtomicLongArray(messages);
        outcome = new AtomicIntegerArray(messages);
        done = new CountDownLatch(messages);
    }

    public void pickedUp(int id) {
        pickedUp.compareAndSet(id, 0, System.nanoTime());
    }

    public void finish(int id, boolean ok) {
        if (outcome.compareAndSet(id, 0, ok ? 1 : 2)) {
            finished.set(id, System.nanoTime());
            if (ok) {
                delivered.incrementAndGet();
            }
            done.countDown();
        }
    }

    public boolean await(long seconds) throws InterruptedException {
        return done.await(seconds, TimeUnit.SECONDS);
    }

    public int delivered() {
        return delivered.get();
    }

    public int open() {
        return (int) done.getCount();
    }

    public long lastFinished() {
        long last = 0;
        for (int i = 0; i < finished.length(); i++) {
            last = Math.max(last, finished.get(i));
        }
        return last;
    }

    /** When the given share of all messages had settled, in ms from {@code t0} (the batch's submission). */
    public double settledMillis(long t0, double percentile) {
        long[] f = new long[finished.length()];
        int k = 0;
        for (int i = 0; i < finished.length(); i++) {
            if (outcome.get(i) != 0) {
                f[k++] = finished.get(i) - t0;
            }
        }
        java.util.Arrays.sort(f, 0, k);
        int need = (int) Math.ceil(percentile / 100.0 * finished.length());
        return need <= k && need > 0 ? f[need - 1] / 1e6 : Double.NaN;
    }

    /** Latency percentiles in ms of the delivered messages, from the moment a worker took them. */
    public double[] deliveredLatencyMillis(double... percentiles) {
        long[] l = new long[delivered.get()];
        int k = 0;
        for (int i = 0; i < outcome.length() && k < l.length; i++) {
            if (outcome.get(i) == 1) {
                l[k++] = finished.get(i) - pickedUp.get(i);
            }
        }
        java.util.Arrays.sort(l, 0, k);
        double[] out = new double[percentiles.length];
        for (int p = 0; p < percentiles.length; p++) {
            out[p] = k == 0 ? Double.NaN : l[Math.min(k - 1, (int) Math.ceil(percentiles[p] / 100.0 * k) - 1)] / 1e6;
        }
        return out;
    }
}
