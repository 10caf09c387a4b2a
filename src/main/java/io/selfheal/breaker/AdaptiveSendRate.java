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
 * Refinements of the SDKs' algorithm, for many callers sharing one upstream:
 * <ul>
 *     <li>Sending is booked, not slept: {@link #reserve} hands out the next free send slot and returns the wait until
 *     it (the bucket may go below zero), so callers that queue are spread one slot apart and no thread waits. Slots
 *     are booked at most {@link #BOOKING_HORIZON} ahead, so a queue follows the rate as it moves.</li>
 *     <li>A throttle lowers the rate only when its call was sent after the last decrease: the answers to calls sent at
 *     the old rate say nothing about the new one (one decrease per round trip, as TCP does). Without it, eight
 *     callers throttled in the same instant would cut the rate to 0.7^8 of what the upstream takes.</li>
 *     <li>A throttle anchors the curve at the rate the upstream accepted, not at the rate sent.</li>
 *     <li>A throttle counts only while throttles are a real share of the answers ({@link #THROTTLE_SHARE}), or when
 *     the rate is back near the one at which the upstream last throttled ({@link #AT_LIMIT}): the odd 429 of an
 *     upstream that is not over its limit changes nothing.</li>
 * </ul>
 * The burst (the tokens the bucket can hold) is {@code rate × burstWindow}, at least one call, so a hold that ends or
 * a queue that forms is released at most a burst at a time. Thread-safe; the happy path (not engaged) takes no lock.
 */
public final class AdaptiveSendRate {
    /** Multiplicative decrease on a throttle (the SDKs' beta). */
    static final double BETA = 0.7;
    /** Scale of the CUBIC climb, in calls/s per s³ (the SDKs' scale constant). */
    static final double SCALE_CONSTANT = 0.4;
    /** The rate never falls below this (calls/s): a throttled upstream is still asked now and then. */
    static final double MIN_RATE = 0.5;
    /**
     * Slots are booked at most this far ahead: a booking is made at the rate of its moment, and a queue booked far
     * ahead would keep going at that rate after the rate has moved. A caller beyond it comes back later to book.
     */
    static final Duration BOOKING_HORIZON = Duration.ofSeconds(1);

    /**
     * The answer to a caller asking to send: go now, or wait; {@code booked} when a slot at the end of the wait is
     * the caller's (it sends then without asking again), false when the queue reaches past the booking horizon and
     * the caller should ask again after the wait.
     */
    public record Slot(Duration delay, boolean booked, long epoch) {
        static final Slot NOW = new Slot(Duration.ZERO, true, 0L);

        public boolean now() {
            return delay.isZero();
        }
    }

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
    /** Bumped by each decrease: slots booked before it were booked at a rate the upstream refused, and are void. */
    private volatile long epoch;
    /**
     * True after a first throttle whose anchor was guessed from too few calls (the first calls of a process are slow,
     * so they understate what the upstream takes): the rate then doubles every {@link #SLOW_START_DOUBLING} until the
     * next throttle, as TCP's slow start, instead of creeping up the CUBIC curve from a guess.
     */
    private boolean slowStart;
    private double slowStartSeconds;
    private double slowStartRate;
    static final double SLOW_START_DOUBLING = 0.5;
    /**
     * A throttle lowers the rate only while throttles are at least this share of the upstream's recent answers
     * (an average over about {@link #SHARE_MEMORY} answers): a rate limiter that is over its limit throttles many
     * calls in a row, while an upstream that answers a 429 to the odd message (a per-key quota, a busy partition) is
     * not over any limit, and lowering everyone's rate for it would only slow every caller down.
     */
    static final double THROTTLE_SHARE = 0.10;
    static final double SHARE_MEMORY = 64;
    /** A throttle while the rate is at least this share of the rate of the last decrease counts whatever the share. */
    static final double AT_LIMIT = 0.9;
    /** A throttle lowered the rate since the last ramp: {@code lastMaxRate} is a limit the upstream showed. */
    private boolean limitKnown;
    /** The throttle share as the bits of a double, updated without a lock. */
    private final java.util.concurrent.atomic.AtomicLong throttleShare = new java.util.concurrent.atomic.AtomicLong();
    private final RateMeter sent = new RateMeter();
    private final RateMeter accepted = new RateMeter();
    private long throttles;
    private long decreases;

    /** @param nanoTime the time source ({@code System::nanoTime}; a test's own) */
    public AdaptiveSendRate(LongSupplier nanoTime, Duration burstWindow) {
        this.nanoTime = Objects.requireNonNull(nanoTime);
        this.burstWindow = Objects.requireNonNull(burstWindow);
        this.startNanos = nanoTime.getAsLong();
        this.lastRefillSeconds = seconds();
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
    public double measuredRate() {
        return sent.smoothed();
    }

    /** The measured rate of calls the upstream accepted (not throttled), in calls/s. */
    public double acceptedRate() {
        return accepted.rate(seconds());
    }

    /** The booking epoch: a slot booked in an earlier one is void (see {@link #epoch}). */
    public long epoch() {
        return epoch;
    }

    /** Throttles seen, and how many of them lowered the rate. */
    public synchronized long throttles() {
        return throttles;
    }

    public synchronized long decreases() {
        return decreases;
    }

    /**
     * Books the next send slot: {@link Slot#now()} when the call may go now (or the rate is not engaged), else the
     * wait until its slot, which is then the caller's: it sends after the wait without booking again. When the next
     * free slot lies beyond the {@link #BOOKING_HORIZON}, nothing is booked and the caller is told to ask again after
     * the horizon, spread over half of it by {@code spread} (0 to 1) so the callers told so do not return together.
     */
    public Slot reserve(double spread) {
        return reserve(spread, false);
    }

    /**
     * As {@link #reserve(double)}; {@code anyDistance} books the slot however far ahead it lies: for a caller that is
     * already retrying, whose max-duration runs, so that it keeps its place in the queue instead of asking again (a
     * caller that asks again may be served after callers that came later).
     */
    public Slot reserve(double spread, boolean anyDistance) {
        if (!engaged) {
            return Slot.NOW;
        }
        synchronized (this) {
            double now = seconds();
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return Slot.NOW;
            }
            double wait = (1 - tokens) / fillRate;
            if (wait > BOOKING_HORIZON.toNanos() / 1e9 && !anyDistance) {
                double later = BOOKING_HORIZON.toNanos() / 1e9 * (1 + Math.max(0, Math.min(1, spread)) / 2);
                return new Slot(Duration.ofNanos((long) (later * 1e9)), false, epoch);
            }
            tokens -= 1;
            return new Slot(Duration.ofNanos((long) Math.ceil(wait * 1e9)), true, epoch);
        }
    }

    /** A call was sent: feeds the measured send rate. */
    public void onSend() {
        sent.record(seconds());
    }

    /** The upstream answered without throttling: the rate climbs along the curve. */
    public void onSuccess() {
        double now = seconds();
        accepted.record(now);
        answered(false);
        if (!engaged) {
            return;
        }
        synchronized (this) {
            if (slowStart) {
                // not capped by the measured send rate: the queue asks for slots a booking horizon late, so the
                // measurement trails the rate, and a cap on it would make each doubling wait for the last
                setRate(now, slowStartRate * Math.pow(2, (now - slowStartSeconds) / SLOW_START_DOUBLING));
                return;
            }
            double cubic = SCALE_CONSTANT * Math.pow(now - lastThrottleSeconds - timeWindow, 3) + lastMaxRate;
            setRate(now, Math.min(cubic, 2 * Math.max(sent.rate(now), MIN_RATE)));
        }
    }

    /** The upstream throttled a call that was sent at {@code sentNanos} ({@link #nanoTime()}). */
    public void onThrottle(long sentNanos) {
        onThrottle(sentNanos, false);
    }

    /**
     * The upstream throttled a call.
     *
     * @param sentNanos    {@link #nanoTime()} when that call was sent
     * @param upstreamWide the upstream said it applies to every caller (a 503 with Retry-After): it counts even when
     *                     throttles are not yet a share of the answers, so the callers it held are released paced
     */
    public void onThrottle(long sentNanos, boolean upstreamWide) {
        double share = answered(true);
        synchronized (this) {
            double now = seconds();
            throttles++;
            // near the rate at which the upstream last throttled, a throttle says the limit is reached, as in the SDKs;
            // well below it, or before any limit is known, only a real share of throttles does
            boolean atKnownLimit = engaged && limitKnown && fillRate >= AT_LIMIT * lastMaxRate;
            if (share < THROTTLE_SHARE && !upstreamWide && !atKnownLimit) {
                return;
            }
            double sentAt = (sentNanos - startNanos) / 1e9;
            if (engaged && sentAt < lastDecreaseSeconds) {
                return;
            }
            // engaged, the rate in force is what was being sent (slots are booked at it while a queue waits). Not
            // yet engaged, what the upstream took is its capacity now; before a whole bucket of answers was measured
            // (a 429 is often answered before the 200s sent with it) start from what was sent, as the SDKs do
            boolean measured = accepted.smoothed() > 0;
            double current = engaged ? fillRate : measured ? accepted.recent(now) : sent.rate(now);
            lastMaxRate = Math.max(current, MIN_RATE);
            limitKnown = true;
            timeWindow = Math.cbrt(lastMaxRate * (1 - BETA) / SCALE_CONSTANT);
            lastThrottleSeconds = now;
            lastDecreaseSeconds = now;
            decreases++;
            // the slots booked so far were booked at the refused rate: void them, and book anew from an empty bucket
            epoch++;
            tokens = 0;
            lastRefillSeconds = now;
            setRate(now, lastMaxRate * BETA);
            slowStart = !engaged && !measured;
            slowStartSeconds = now;
            slowStartRate = fillRate;
            engaged = true;
        }
    }

    /**
     * The upstream is back after an outage: pace the callers released at once, starting below {@code rate} (the rate
     * before the outage) and doubling from there.
     */
    public void rampFrom(double rate) {
        synchronized (this) {
            double now = seconds();
            // a slow start: the backlog that waited goes at 0.7 x the rate before the outage, doubling every half
            // second until the upstream throttles or the backlog is gone, so it is spread out, not fired at once
            lastMaxRate = Math.max(rate, MIN_RATE);
            // the rate before the outage was what was sent, not a limit the upstream stated
            limitKnown = false;
            timeWindow = Math.cbrt(lastMaxRate * (1 - BETA) / SCALE_CONSTANT);
            lastThrottleSeconds = now;
            epoch++;
            tokens = 0;
            lastRefillSeconds = now;
            setRate(now, lastMaxRate * BETA);
            slowStart = true;
            slowStartSeconds = now;
            slowStartRate = fillRate;
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

    /** The share of throttles among the upstream's recent answers (an exponential average). */
    public double throttleShare() {
        return Double.longBitsToDouble(throttleShare.get());
    }

    private double answered(boolean throttled) {
        while (true) {
            long bits = throttleShare.get();
            double share = Double.longBitsToDouble(bits);
            double next = share + ((throttled ? 1.0 : 0.0) - share) / SHARE_MEMORY;
            if (throttleShare.compareAndSet(bits, Double.doubleToRawLongBits(next))) {
                return next;
            }
        }
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
