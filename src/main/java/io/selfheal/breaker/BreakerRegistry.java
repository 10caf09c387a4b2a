package io.selfheal.breaker;

import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.selfheal.config.PerUpstream;
import io.selfheal.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One circuit breaker per upstream, created on first use from {@code selfheal.breaker.*} and shared by every route
 * and template instance that calls that upstream. Logs every state change as one line (logger
 * {@code io.selfheal.breaker}) and tells the listeners.
 * <p>
 * For other parts of Selfheal (meters, alerts, replay):
 * <pre>{@code
 * BreakerRegistry breakers = SelfhealRuntime.of(context).breakers();
 * breakers.state("inventory");                                   // CLOSED, OPEN, HALF_OPEN, DISABLED ...
 * breakers.onTransition((upstream, state) -> gauge(upstream, state));
 * breakers.onTransitionEvent(t -> alert(t.upstream(), t.reason()));  // with from, reason, time, open wait
 * }</pre>
 * Listeners run on the thread that caused the change (a route's thread, or Resilience4j's timer for open → half-open):
 * keep them short and hand slow work to an executor. What they throw is logged and ignored.
 */
public final class BreakerRegistry {
    static final Logger LOG = LoggerFactory.getLogger("io.selfheal.breaker");

    private final PerUpstream<BreakerSettings> config;
    private final Clock clock;
    private final CircuitBreakerRegistry resilience4j = CircuitBreakerRegistry.ofDefaults();
    private final ConcurrentMap<String, UpstreamBreaker> breakers = new ConcurrentHashMap<>();
    private final List<Consumer<BreakerTransition>> listeners = new CopyOnWriteArrayList<>();

    public BreakerRegistry(PerUpstream<BreakerSettings> config, Clock clock) {
        this.config = Objects.requireNonNull(config);
        this.clock = Objects.requireNonNull(clock);
    }

    /** The breaker of an upstream, created with its settings on first use. */
    public UpstreamBreaker forUpstream(String upstream) {
        Objects.requireNonNull(upstream, "upstream");
        UpstreamBreaker existing = breakers.get(upstream);
        return existing != null ? existing : breakers.computeIfAbsent(upstream, this::create);
    }

    private UpstreamBreaker create(String upstream) {
        UpstreamBreaker b = new UpstreamBreaker(upstream, config.settingsFor(upstream), clock,
                (name, r4jConfig) -> resilience4j.circuitBreaker(name, r4jConfig));
        b.circuitBreaker().getEventPublisher().onStateTransition(e -> transitioned(b, e));
        return b;
    }

    private void transitioned(UpstreamBreaker b, CircuitBreakerOnStateTransitionEvent event) {
        State from = event.getStateTransition().getFromState();
        State to = event.getStateTransition().getToState();
        // the breaker's own clock (Resilience4j stamps events with the system clock), so waits and instants agree
        java.time.Instant at = clock.instant();
        if (to == State.CLOSED) {
            b.onClosed(from);
        } else if (to == State.OPEN) {
            b.onOpened(from, at);
        }
        if (from == State.OPEN) {
            b.onOpenOver(at);
        }
        BreakerTransition t = new BreakerTransition(b.upstream(), from, to, b.reasonFor(from, to), at,
                to == State.OPEN ? b.openFor(at) : null);
        if (t.opened()) {
            LOG.warn("breaker {}: {} -> {} ({}){}", t.upstream(), from, to, t.reason(),
                    t.openFor() == null ? "" : "; next probe in " + Durations.human(t.openFor()));
        } else {
            LOG.info("breaker {}: {} -> {} ({})", t.upstream(), from, to, t.reason());
        }
        for (Consumer<BreakerTransition> l : listeners) {
            try {
                l.accept(t);
            } catch (RuntimeException e) {
                LOG.warn("breaker listener {} failed: {}", l, e.toString());
            }
        }
    }

    /** The state of an upstream's breaker (CLOSED for one not called yet; DISABLED when configured off). */
    public State state(String upstream) {
        return forUpstream(upstream).state();
    }

    /** True while the upstream's breaker refuses calls (open or forced open). */
    public boolean isOpen(String upstream) {
        return forUpstream(upstream).isOpen();
    }

    /** Every upstream called so far, with its breaker state, sorted by name. */
    public Map<String, State> states() {
        Map<String, State> m = new TreeMap<>();
        breakers.forEach((name, b) -> m.put(name, b.state()));
        return m;
    }

    /** Hears every state change as (upstream, new state). */
    public Subscription onTransition(BiConsumer<String, State> listener) {
        Objects.requireNonNull(listener);
        return onTransitionEvent(t -> listener.accept(t.upstream(), t.to()));
    }

    /** Hears every state change with its reason, time and open wait. */
    public Subscription onTransitionEvent(Consumer<BreakerTransition> listener) {
        Objects.requireNonNull(listener);
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Resilience4j's registry of the same breakers, for its metrics binders (resilience4j-micrometer). */
    public CircuitBreakerRegistry resilience4j() {
        return resilience4j;
    }

    public PerUpstream<BreakerSettings> config() {
        return config;
    }

    /** A registered listener; cancel it when its owner goes away. */
    @FunctionalInterface
    public interface Subscription {
        void cancel();
    }
}
