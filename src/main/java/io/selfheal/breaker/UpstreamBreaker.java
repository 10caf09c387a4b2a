package io.selfheal.breaker;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.selfheal.retry.StatedWait;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gate in front of one upstream, shared by every route that calls it: a Resilience4j circuit breaker, the
 * consecutive-failure trip Resilience4j lacks, the adaptive send rate that throttling engages, and the Retry-After hold
 * (a "not before" instant that an upstream's 503 with Retry-After sets for all its callers).
 * <p>
 * Protocol for a call: {@link #admit()}; when admitted, exactly one of {@link #onSuccess}, {@link #onFailure} or
 * {@link #onNoVerdict} once the call is over. Thread-safe.
 */
public final class UpstreamBreaker {
    private final String upstream;
    private final BreakerSettings settings;
    private final CircuitBreaker breaker;
    private final Clock clock;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicReference<Instant> holdUntil = new AtomicReference<>(Instant.MIN);
    /** When the current open state lets a probe through; recorded as Resilience4j computes the wait. */
    private volatile Instant openUntil = Instant.MIN;
    /** Why this breaker is being opened by Selfheal itself (the consecutive-failure trip), for the transition log. */
    private volatile String tripReason;
    private final AtomicLong probes = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    /**
     * Guards every outcome recorded and every transition Selfheal makes or causes, and the half-open judgement: an
     * opening is logged from inside the call that caused it, so the failure rate it states is the one judged, and a
     * trip cannot race Resilience4j's own opening into a second, longer open state. (Resilience4j's sliding window
     * serialises its records anyway.)
     */
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    /** Failed probes in the current half-open round; guarded by {@link #lock}. */
    private int probeFailures;
    /** The measured send rate when the breaker last opened from closed: where the ramp starts when it closes. */
    private volatile double rateBeforeOpen;
    private volatile Instant openedAt = Instant.MIN;
    private final AdaptiveSendRate sendRate;
    private final WaitTally waits = new WaitTally();
    /** A caller may come back this much before its send slot (the timers round to milliseconds). */
    static final long SLOT_EARLY_NANOS = 1_000_000L;
    /** A caller later than this past its slot books a new one: the old slot went unused. */
    static final long SLOT_GRACE_NANOS = 500_000_000L;

    UpstreamBreaker(String upstream, BreakerSettings settings, Clock clock,
                    java.util.function.BiFunction<String, CircuitBreakerConfig, CircuitBreaker> factory) {
        this.upstream = Objects.requireNonNull(upstream);
        this.settings = Objects.requireNonNull(settings);
        this.clock = Objects.requireNonNull(clock);
        this.breaker = factory.apply(upstream, resilience4jConfig(settings, clock));
        this.sendRate = settings.enabled() && settings.adaptiveSendRate()
                ? new AdaptiveSendRate(System::nanoTime, settings.sendRateBurst()) : null;
        if (!settings.enabled()) {
            breaker.transitionToDisabledState();
        }
    }

    private CircuitBreakerConfig resilience4jConfig(BreakerSettings s, Clock clock) {
        IntervalFunction growing = s.waitInOpenState();
        // Resilience4j keeps the end of the open state to itself; remember it as it is computed, so a refused call
        // can be told exactly how long to wait (the breaker as a source of Retry-After)
        IntervalFunction recorded = opening -> {
            long millis = growing.apply(opening);
            openUntil = clock.instant().plusMillis(millis);
            return millis;
        };
        return s.circuitBreakerConfig()
                .waitIntervalFunctionInOpenState(recorded)
                .clock(clock)
                .build();
    }

    public String upstream() {
        return upstream;
    }

    public BreakerSettings settings() {
        return settings;
    }

    /** The Resilience4j breaker, for metrics and tools; call through {@link #admit()} and the record methods. */
    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    public State state() {
        return breaker.getState();
    }

    /** Open (or forced open): calls are refused. */
    public boolean isOpen() {
        State s = breaker.getState();
        return s == State.OPEN || s == State.FORCED_OPEN;
    }

    /** Until when a Retry-After hold keeps every caller back (in the past when there is none). */
    public Instant holdUntil() {
        return holdUntil.get();
    }

    /** Calls let through while half-open, since start. */
    public long probes() {
        return probes.get();
    }

    /** Calls turned away by the breaker or a hold, since start. */
    public long refusals() {
        return refusals.get();
    }

    /** Time left in the open state before a probe may go (zero when not open or when the wait is over). */
    public Duration untilProbe() {
        if (breaker.getState() != State.OPEN) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), openUntil);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * Moves an open breaker whose wait is over to half-open, as a call asking for permission would, without making a
     * call: for breakers without automatic transition whose callers are all paused.
     */
    public void askToProbe() {
        if (breaker.getState() == State.OPEN && breaker.tryAcquirePermission()) {
            breaker.releasePermission();
        }
    }

    /** Asks to call the upstream now, for a caller that holds no send slot. */
    public Admission admit() {
        return admit(null, false);
    }

    /**
     * Asks to call the upstream now. A refusal carries the wait until it may be called and why; one made by the send
     * rate may also carry the send slot booked for the caller ({@link Admission#sendSlot()}), which it passes back
     * here when it returns, so it is let through without booking again (unless the rate was lowered meanwhile).
     *
     * @param heldSlot the send slot this caller was given by an earlier refusal, or null
     * @param retrying the caller is retrying (its max-duration runs): the send rate books it a slot however far ahead
     */
    public Admission admit(SendSlot heldSlot, boolean retrying) {
        Instant now = clock.instant();
        Instant hold = holdUntil.get();
        if (now.isBefore(hold)) {
            refusals.incrementAndGet();
            Duration wait = Duration.between(now, hold);
            waits.held(wait);
            return Admission.refused(StatedWait.retryAfter(wait), "held back by Retry-After until " + hold);
        }
        waits.holdOver(upstream);
        if (!breaker.tryAcquirePermission()) {
            refusals.incrementAndGet();
            State state;
            Duration wait;
            // a refusal can come while a transition into OPEN is half done (Resilience4j stops admitting before it
            // installs the open state): transitions happen under the lock, so once it is ours the state is whole
            lock.lock();
            try {
                state = breaker.getState();
                wait = waitWhenRefused(state, now);
            } finally {
                lock.unlock();
            }
            waits.breaker(wait);
            return Admission.refused(StatedWait.breaker(wait), "circuit breaker " + state);
        }
        boolean probe = breaker.getState() == State.HALF_OPEN;
        if (sendRate != null && sendRate.engaged()) {
            long t = sendRate.nanoTime();
            boolean slotDue = heldSlot != null && heldSlot.epoch() == sendRate.epoch()
                    && t - heldSlot.atNanos() >= -SLOT_EARLY_NANOS && t - heldSlot.atNanos() <= SLOT_GRACE_NANOS;
            if (!slotDue) {
                AdaptiveSendRate.Slot slot = sendRate.reserve(java.util.concurrent.ThreadLocalRandom.current().nextDouble(),
                        retrying);
                if (!slot.now()) {
                    breaker.releasePermission();
                    waits.paced(slot.delay());
                    return Admission.paced(StatedWait.sendRate(slot.delay()), "paced at " + sendRate,
                            slot.booked() ? new SendSlot(t + slot.delay().toNanos(), slot.epoch()) : null);
                }
            }
        }
        if (sendRate != null) {
            sendRate.onSend();
        }
        if (probe) {
            probes.incrementAndGet();
            return Admission.PROBE;
        }
        return Admission.GO;
    }

    /** Now, on the clock that send slots and {@link #onThrottle} send times are read from. */
    public long sendClockNanos() {
        return sendRate == null ? System.nanoTime() : sendRate.nanoTime();
    }

    /** The upstream's adaptive send rate; null when {@code adaptive-send-rate} is off. */
    public AdaptiveSendRate sendRate() {
        return sendRate;
    }

    private Duration waitWhenRefused(State state, Instant now) {
        return switch (state) {
            // Resilience4j lets the next call through once the instant is strictly past: one millisecond more
            case OPEN -> {
                Duration left = Duration.between(now, openUntil).plusMillis(1);
                yield left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left;
            }
            case FORCED_OPEN -> settings.waitInOpenMax();
            // every probe slot is taken; their outcome decides, ask again shortly
            default -> settings.halfOpenWait();
        };
    }

    /** The call got an answer that shows the upstream is working. */
    public void onSuccess(long durationNanos) {
        consecutiveFailures.set(0);
        if (sendRate != null) {
            sendRate.onSuccess();
        }
        lock.lock();
        try {
            breaker.onSuccess(durationNanos, TimeUnit.NANOSECONDS);
            if (breaker.getState() == State.HALF_OPEN) {
                // one probe that gets an answer shows the upstream is back; a flaky one is judged by the closed
                // state's window of many calls, not by a round of a few probes
                breaker.transitionToClosedState();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The upstream throttled the call (429, or an answer with Retry-After): it is alive and answering, so the breaker
     * does not count it; the send rate drops instead.
     *
     * @param sentNanos    {@link #sendClockNanos()} when the call was sent
     * @param upstreamWide the upstream said it applies to every caller (a 503 with Retry-After)
     */
    public void onThrottle(long sentNanos, boolean upstreamWide) {
        breaker.releasePermission();
        if (sendRate == null) {
            return;
        }
        long before = sendRate.decreases();
        sendRate.onThrottle(sentNanos, upstreamWide);
        if (sendRate.decreases() > before) {
            waits.throttled(upstream, sendRate);
        }
    }

    /** The call failed in a way that counts against the upstream (TRANSIENT or RECOVERABLE). */
    public void onFailure(long durationNanos, Throwable failure) {
        // every transition into OPEN happens under this lock, so the open wait recorded is the one of the state
        // Resilience4j installs, and a trip cannot race Resilience4j's own opening into a second, longer one
        lock.lock();
        try {
            State state = breaker.getState();
            if (state == State.HALF_OPEN) {
                // judged here, not by Resilience4j's failure rate over the round: the permit stays spent, so a
                // round is at most permitted-calls-in-half-open calls, and only a round that all failed re-opens
                if (++probeFailures >= settings.permittedCallsInHalfOpen()) {
                    tripReason = probeFailures + (probeFailures == 1 ? " probe" : " probes in a row") + " failed";
                    breaker.transitionToOpenState();
                }
                return;
            }
            breaker.onError(durationNanos, TimeUnit.NANOSECONDS, failure);
            if (breaker.getState() != State.CLOSED) {
                consecutiveFailures.set(0);
                return;
            }
            int limit = settings.consecutiveFailures();
            int inARow = consecutiveFailures.incrementAndGet();
            if (limit > 0 && inARow >= limit) {
                tripReason = inARow + " consecutive failures";
                consecutiveFailures.set(0);
                breaker.transitionToOpenState();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The call ended without saying anything about the upstream (a request it refused as malformed before sending,
     * a certificate the client rejected): give the permission back without counting it.
     */
    public void onNoVerdict() {
        breaker.releasePermission();
    }

    /**
     * Holds every caller back until {@code until} (never shortens an existing hold): for what the upstream says
     * applies to all its callers (a 503 with Retry-After). When it ends, callers go through the send rate, which the
     * throttle that set the hold has engaged, so they are released a burst at a time.
     */
    public void holdUntil(Instant until) {
        if (!settings.enabled()) {
            // the upstream-wide hold is part of the breaker: an upstream whose breaker is switched off is not held
            // back as a whole, and each exchange honours its own Retry-After only
            return;
        }
        holdUntil.accumulateAndGet(until, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Why the breaker moved, for the transition log; consumes the trip reason. */
    String reasonFor(State from, State to) {
        if (to == State.OPEN) {
            String trip = tripReason;
            tripReason = null;
            if (trip != null) {
                return trip;
            }
            CircuitBreaker.Metrics m = breaker.getMetrics();
            if (from != State.CLOSED || m.getFailureRate() < 0) {
                // not enough calls for a failure rate: nothing Selfheal measured opened it
                return "opened by hand";
            }
            return String.format(java.util.Locale.ROOT, "failure rate %.1f %% over %d calls (threshold %.1f %%)",
                    m.getFailureRate(), m.getNumberOfBufferedCalls(), settings.failureRateThreshold());
        }
        if (from == State.OPEN && to == State.HALF_OPEN) {
            return "wait in open state is over: letting " + settings.permittedCallsInHalfOpen() + " probe(s) through";
        }
        if (from == State.HALF_OPEN && to == State.CLOSED) {
            return "a probe succeeded";
        }
        if (to == State.DISABLED) {
            return "disabled by configuration";
        }
        return "changed by hand";
    }

    /** The wait of the open state just entered. */
    Duration openFor(Instant at) {
        Duration d = Duration.between(at, openUntil);
        return d.isNegative() ? Duration.ZERO : d;
    }

    void onClosed(State from) {
        consecutiveFailures.set(0);
        if (from == State.HALF_OPEN && sendRate != null && rateBeforeOpen > 0) {
            // the backlog that waited for the probe is released paced: from 0.7 x the rate before the outage, doubling
            sendRate.rampFrom(rateBeforeOpen);
        }
    }

    void onOpened(State from, Instant at) {
        lock.lock();
        try {
            probeFailures = 0;
        } finally {
            lock.unlock();
        }
        if (from == State.CLOSED && sendRate != null) {
            rateBeforeOpen = sendRate.measuredRate();
        }
        openedAt = at;
    }

    void onOpenOver(Instant at) {
        Instant since = openedAt;
        waits.openOver(upstream, since == Instant.MIN ? Duration.ZERO : Duration.between(since, at));
    }
}
