package io.selfheal.camel.breaker;

import io.selfheal.camel.SelfhealRuntime;

import io.selfheal.breaker.BreakerRegistry;
import io.selfheal.breaker.UpstreamBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Route;
import org.apache.camel.StatefulService;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A route policy for routes that depend on upstreams: while the breaker of any of them is open, the route's consumer
 * is suspended (it takes no new work from its source); it is resumed when the breaker goes half-open or closed.
 * <p>
 * It suits consumers whose source keeps the work while they are paused: polling ones (file, ftp, sql and jdbc
 * polling, timer- and scheduler-driven jobs) and message-queue listeners (JMS, AMQP). It does not suit consumers that
 * others call synchronously (direct, seda, platform-http, rest): their callers would be refused or blocked instead.
 * <p>
 * Java: {@code from("file:inbox").routePolicy(UpstreamDependencyPolicy.on("inventory"))}. YAML: declare a bean and
 * name it in {@code routePolicy}:
 * <pre>
 * - beans:
 *     - name: dependsOnInventory
 *       type: io.selfheal.camel.breaker.UpstreamDependencyPolicy
 *       properties:
 *         upstreams: inventory
 * - route:
 *     routePolicy: "#dependsOnInventory"
 *     from: ...
 * </pre>
 * Several upstreams are separated by commas. One instance may serve several routes. A route started while an upstream
 * is down is paused as soon as its consumer has started (a consumer that polls at once may take one batch first).
 */
public class UpstreamDependencyPolicy extends RoutePolicySupport {
    private static final Logger LOG = LoggerFactory.getLogger("io.selfheal.breaker");
    private static final Duration STARTING_CONSUMER_RECHECK = Duration.ofMillis(10);
    /** How long to wait for a starting route's consumer to be started, in rechecks (2 s). */
    private static final int STARTING_CONSUMER_RECHECKS = 200;

    private volatile List<String> upstreams = List.of();
    private final Set<Route> routes = new CopyOnWriteArraySet<>();
    /** Consumers this policy suspended (and so may resume); others' suspensions are not ours to undo. */
    private final Set<Consumer> suspendedByUs = ConcurrentHashMap.newKeySet();
    private volatile BreakerRegistry.Subscription subscription;
    private volatile ScheduledExecutorService executor;
    private volatile CamelContext context;

    public UpstreamDependencyPolicy() {
    }

    /** @param upstreams upstream names, separated by commas */
    public UpstreamDependencyPolicy(String upstreams) {
        setUpstreams(upstreams);
    }

    public static UpstreamDependencyPolicy on(String... upstreams) {
        return new UpstreamDependencyPolicy(String.join(",", upstreams));
    }

    /** Upstream names, separated by commas. */
    public void setUpstreams(String upstreams) {
        List<String> names = new ArrayList<>();
        if (upstreams != null) {
            Arrays.stream(upstreams.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("UpstreamDependencyPolicy needs at least one upstream name, got '"
                    + upstreams + "'");
        }
        this.upstreams = List.copyOf(names);
    }

    public String getUpstreams() {
        return String.join(",", upstreams);
    }

    @Override
    public void onInit(Route route) {
        super.onInit(route);
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("UpstreamDependencyPolicy on route " + route.getRouteId()
                    + " names no upstream: set its 'upstreams' property");
        }
        routes.add(route);
        synchronized (this) {
            if (subscription == null) {
                context = route.getCamelContext();
                executor = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this,
                        "SelfhealUpstreamDependency");
                BreakerRegistry breakers = SelfhealRuntime.of(context).breakers();
                subscription = breakers.onTransition((upstream, state) -> {
                    if (upstreams.contains(upstream)) {
                        reviewLater(0, 0);
                    }
                });
            }
        }
    }

    @Override
    public void onStart(Route route) {
        // an upstream may already be down when the route starts; its consumer starts right after this call
        reviewLater(0, STARTING_CONSUMER_RECHECKS);
    }

    @Override
    public void onRemove(Route route) {
        routes.remove(route);
        if (route.getConsumer() != null) {
            suspendedByUs.remove(route.getConsumer());
        }
        synchronized (this) {
            if (routes.isEmpty() && subscription != null) {
                subscription.cancel();
                subscription = null;
                context.getExecutorServiceManager().shutdown(executor);
                executor = null;
            }
        }
    }

    /** @param startRechecks how many more times to look again for a consumer that is still starting */
    private void reviewLater(long delayMillis, int startRechecks) {
        ExecutorService e = executor;
        if (e instanceof ScheduledExecutorService s && !s.isShutdown()) {
            try {
                s.schedule(() -> review(startRechecks), delayMillis, TimeUnit.MILLISECONDS);
            } catch (RuntimeException rejected) {
                // shutting down
            }
        }
    }

    /**
     * Suspends or resumes the consumers from the breakers' current states. Runs on one thread, in order, and reads the
     * states when it runs, so a late review never undoes a newer one.
     */
    private void review(int startRechecks) {
        CamelContext ctx = context;
        if (ctx == null || (!ctx.isStarted() && !ctx.isStarting())) {
            return;
        }
        BreakerRegistry breakers = SelfhealRuntime.of(ctx).breakers();
        String down = null;
        for (String u : upstreams) {
            if (breakers.isOpen(u)) {
                down = u;
                break;
            }
        }
        for (Route route : routes) {
            Consumer consumer = route.getConsumer();
            if (consumer == null) {
                continue;
            }
            boolean running = running(consumer);
            if (running) {
                // started again by someone else (the route was restarted): no longer ours to resume
                suspendedByUs.remove(consumer);
            }
            try {
                if (down != null && running) {
                    suspendOrStopConsumer(consumer);
                    suspendedByUs.add(consumer);
                    LOG.warn("route {}: consumer paused, upstream {} is down (breaker {})", route.getRouteId(), down,
                            breakers.state(down));
                } else if (down != null && !suspendedByUs.contains(consumer) && startRechecks > 0) {
                    // not running yet: a starting route's consumer starts right after onStart; pause it then
                    reviewLater(STARTING_CONSUMER_RECHECK.toMillis(), startRechecks - 1);
                } else if (down == null && suspendedByUs.remove(consumer)) {
                    resumeOrStartConsumer(consumer);
                    LOG.info("route {}: consumer resumed, upstreams {} are callable again", route.getRouteId(), upstreams);
                }
            } catch (Exception e) {
                LOG.warn("route {}: could not pause or resume its consumer: {}", route.getRouteId(), e.toString());
            }
        }
        for (String u : upstreams) {
            // without automatic transition an open breaker moves to half-open only when a call asks; with the
            // consumers paused nothing may ask, so ask once its wait is over
            UpstreamBreaker b = breakers.forUpstream(u);
            if (b.state() == State.OPEN && !b.settings().automaticTransition()) {
                Duration left = b.untilProbe();
                if (left.isZero()) {
                    b.askToProbe();
                } else {
                    reviewLater(left.toMillis() + 1, 0);
                }
            }
        }
    }

    /** Started (not starting, not suspended): taking work from its source. */
    private static boolean running(Consumer consumer) {
        if (consumer instanceof StatefulService s) {
            return s.isStarted();
        }
        return !ServiceHelper.isSuspended(consumer);
    }

    @Override
    public String toString() {
        return "UpstreamDependencyPolicy" + upstreams;
    }
}
