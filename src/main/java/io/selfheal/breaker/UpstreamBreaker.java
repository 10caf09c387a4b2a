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
 * consecutive-failure trip Resilience4j lacks, and the Retry-After hold (a "not before" instant that an upstream's 429
 * or 503 with Retry-After sets for all its callers).
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

    UpstreamBreaker(String upstream, BreakerSettings settings, Clock clock,
                    java.util.function.BiFunction<String, CircuitBreakerConfig, CircuitBreaker> factory) {
        this.upstream = Objects.requireNonNull(upstream);
        this.settings = Objects.requireNonNull(settings);
        this.clock = Objects.requireNonNull(clock);
        this.breaker = factory.apply(upstream, resilience4jConfig(settings, clock));
        if (!settings.enabled()) {
            breaker.transitionToDisabledState();
        }
    }

    private CircuitBreakerConfig resilience4jConfig(BreakerSettings s, Clock clock) {
        IntervalFunction growing = IntervalFunction.ofExponentialBackoff(s.waitInOpen(), s.waitInOpenMultiplier(),
                s.waitInOpenMax());
        // Resilience4j keeps the end of the open state to itself; remember it as it is computed, so a refused call
        // can be told exactly how long to wait (the breaker as a source of Retry-After)
        IntervalFunction recorded = opening -> {
            long millis = growing.apply(opening);
            openUntil = clock.instant().plusMillis(millis);
            return millis;
        };
        return CircuitBreakerConfig.custom()
                .slidingWindowType(s.slidingWindowType())
                .slidingWindowSize(s.slidingWindowSize())
                .minimumNumberOfCalls(s.minimumCalls())
                .failureRateThreshold(s.failureRateThreshold())
                .waitIntervalFunctionInOpenState(recorded)
                .permittedNumberOfCallsInHalfOpenState(s.permittedCallsInHalfOpen())
                .automaticTransitionFromOpenToHalfOpenEnabled(s.automaticTransition())
                .writableStackTraceEnabled(false)
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

    /** Asks to call the upstream now. A refusal carries the wait until it may be called and why. */
    public Admission admit() {
        Instant now = clock.instant();
        Instant hold = holdUntil.get();
        if (now.isBefore(hold)) {
            refusals.incrementAndGet();
            return Admission.refused(StatedWait.retryAfter(Duration.between(now, hold)),
                    "held back by Retry-After until " + hold);
        }
        if (breaker.tryAcquirePermission()) {
            if (breaker.getState() == State.HALF_OPEN) {
                probes.incrementAndGet();
                return Admission.PROBE;
            }
            return Admission.GO;
        }
        refusals.incrementAndGet();
        State state = breaker.getState();
        return Admission.refused(StatedWait.breaker(waitWhenRefused(state, now)), "circuit breaker " + state);
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
        breaker.onSuccess(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** The call failed in a way that counts against the upstream (TRANSIENT or RECOVERABLE). */
    public void onFailure(long durationNanos, Throwable failure) {
        breaker.onError(durationNanos, TimeUnit.NANOSECONDS, failure);
        if (breaker.getState() != State.CLOSED) {
            // half-open probes are judged by Resilience4j; an open breaker needs no trip
            consecutiveFailures.set(0);
            return;
        }
        int limit = settings.consecutiveFailures();
        int inARow = consecutiveFailures.incrementAndGet();
        if (limit > 0 && inARow >= limit) {
            synchronized (this) {
                if (breaker.getState() == State.CLOSED) {
                    tripReason = inARow + " consecutive failures";
                    consecutiveFailures.set(0);
                    breaker.transitionToOpenState();
                }
            }
        }
    }

    /**
     * The call ended without saying anything about the upstream (a request it refused as malformed before sending,
     * a certificate the client rejected): give the permission back without counting it.
     */
    public void onNoVerdict() {
        breaker.releasePermission();
    }

    /** Holds every caller back until {@code until} (never shortens an existing hold). */
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
            if (trip != null && from == State.CLOSED) {
                return trip;
            }
            CircuitBreaker.Metrics m = breaker.getMetrics();
            if (m.getFailureRate() < 0) {
                // not enough calls for a failure rate: nothing Selfheal measured opened it
                return "opened by hand";
            }
            if (from == State.HALF_OPEN) {
                return "probe failed (" + m.getNumberOfFailedCalls() + " of " + m.getNumberOfBufferedCalls()
                        + " probes failed)";
            }
            return String.format(java.util.Locale.ROOT, "failure rate %.1f %% over %d calls (threshold %.1f %%)",
                    m.getFailureRate(), m.getNumberOfBufferedCalls(), settings.failureRateThreshold());
        }
        if (from == State.OPEN && to == State.HALF_OPEN) {
            return "wait in open state is over: letting " + settings.permittedCallsInHalfOpen() + " probe(s) through";
        }
        if (from == State.HALF_OPEN && to == State.CLOSED) {
            return "probes succeeded";
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

    void onClosed() {
        consecutiveFailures.set(0);
    }
}
