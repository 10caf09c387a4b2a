package io.selfheal.camel.escalation;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.idempotency.BodyDigest;
import io.selfheal.camel.retry.SelfhealErrorHandlerDefinition;

import io.selfheal.config.Durations;
import io.selfheal.escalation.GiveUp;
import io.selfheal.escalation.ParkRequest;
import io.selfheal.escalation.ParkedStore;
import io.selfheal.escalation.Redactor;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Messages whose work is over (they gave up) but whose parking failed, kept in memory by their source identity. The
 * source keeps such a message and delivers it again (a file stays in its inbox, a broker redelivers): when it comes
 * back into the route it entered, none of the route's steps runs, so the upstream is not called again; the message is
 * parked instead, once the next store attempt is due (a bounded backoff between attempts). Until then, and while the
 * store still refuses, the exchange fails at once and the source keeps the message.
 * <p>
 * The identity of a source message: the route it entered and, for a file, its path, size and modification time, or
 * else the digest of the body it arrived with and the Idempotency-Key it carried. Only whole messages are kept: a
 * split item or a multicast branch comes back inside its parent, which runs again. Held in memory, up to
 * {@value #MAX_KEPT} messages, each until its source has not delivered it again for 10 x max-delay; a restart
 * forgets them, and such a message then runs its route again once.
 */
final class AwaitingParking extends RoutePolicySupport implements RoutePolicyFactory {
    static final int MAX_KEPT = 1_000;
    private static final Logger LOG = EscalationRoutes.ESCALATION_LOG;

    private final ParkedStore store;
    private final Clock clock;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final Redactor redactor;
    private final Duration forgetAfter;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    /** The routes that have a message waiting: every other exchange passes at the cost of one look-up. */
    private volatile Set<String> routes = Set.of();

    AwaitingParking(ParkedStore store, Clock clock, Duration initialDelay, Duration maxDelay) {
        this.store = store;
        this.clock = clock;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
        this.forgetAfter = maxDelay.multipliedBy(10);
        this.redactor = store.config().redactor();
    }

    /** One message that gave up and is not parked yet; {@code lastSeen}: given up or delivered again. */
    private record Pending(String routeId, ParkRequest request, GiveUp giveUp, int storeAttempts, Instant nextAttempt,
                           Instant lastSeen) {
        Pending seen(Instant now) {
            return new Pending(routeId, request, giveUp, storeAttempts, nextAttempt, now);
        }
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        return route instanceof RouteDefinition definition
                && definition.getErrorHandlerFactory() instanceof SelfhealErrorHandlerDefinition ? this : null;
    }

    /**
     * After a give-up whose parking the store refused: the message's source keeps it; when it comes back, it is parked
     * without running its route again. Returns the delay until the next store attempt.
     */
    Duration remember(Exchange exchange, ParkRequest request, GiveUp giveUp) {
        return remember(exchange.getFromRouteId(), identity(exchange, original(exchange)), request, giveUp);
    }

    private Duration remember(String routeId, String identity, ParkRequest request, GiveUp giveUp) {
        Instant now = clock.instant();
        synchronized (pending) {
            Pending before = pending.remove(identity);
            int attempts = before == null ? 1 : before.storeAttempts() + 1;
            Duration delay = delay(attempts);
            pending.put(identity, new Pending(String.valueOf(routeId), request, giveUp, attempts, now.plus(delay), now));
            if (pending.size() > MAX_KEPT) {
                String oldest = pending.keySet().iterator().next();
                Pending dropped = pending.remove(oldest);
                LOG.warn("more than {} given-up messages wait for the parked store: the oldest (route {}) will run its "
                        + "route again when its source delivers it", MAX_KEPT, dropped.request().routeId());
            }
            forgetUnseen(now);
            return delay;
        }
    }

    /**
     * Forgets the messages whose source has not delivered them again for 10 x max-delay (a seda message never comes
     * back), so their route no longer pays for the look-up; one that still comes back runs its route once more.
     */
    private void forgetUnseen(Instant now) {
        pending.values().removeIf(p -> p.lastSeen().plus(forgetAfter).isBefore(now));
        routes = pending.values().stream().map(Pending::routeId).collect(Collectors.toUnmodifiableSet());
    }

    /** The delay before store attempt {@code n + 1}: initial-delay doubled per failed attempt, at most max-delay. */
    Duration delay(int failedAttempts) {
        Duration d = initialDelay;
        for (int i = 1; i < failedAttempts && d.compareTo(maxDelay) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }

    int size() {
        synchronized (pending) {
            return pending.size();
        }
    }

    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
        if (!routes.contains(route.getRouteId()) || !route.getRouteId().equals(exchange.getFromRouteId())
                || exchange.getProperty(ParkedReplayService.REPLAY_OF) != null
                || exchange.getProperty(Escalator.PARKED_ID) != null) {
            return;
        }
        String identity = identity(exchange, exchange.getIn());
        Instant now = clock.instant();
        Pending p;
        synchronized (pending) {
            forgetUnseen(now);
            p = pending.computeIfPresent(identity, (k, v) -> v.seen(now));
        }
        if (p == null) {
            return;
        }
        // its work is over: none of the route's steps runs again, whatever the store answers
        exchange.setRouteStop(true);
        if (now.isBefore(p.nextAttempt())) {
            exchange.setException(new WaitingForTheStore("gave up earlier and is not parked yet: the next attempt to "
                    + "park it is in " + Durations.human(Duration.between(now, p.nextAttempt()))
                    + "; its upstream is not called again"));
            return;
        }
        try {
            long id = store.park(p.request());
            synchronized (pending) {
                pending.remove(identity);
                forgetUnseen(now);
            }
            exchange.setProperty(Escalator.PARKED_ID, id);
            LOG.info("parked as #{} after {} refused attempt(s): route={} reason={} exchange={} (gave up earlier; its "
                    + "upstream was not called again)", id, p.storeAttempts(), p.giveUp().routeId(), p.giveUp().reason(),
                    p.giveUp().exchangeId());
        } catch (RuntimeException e) {
            Duration next = remember(p.routeId(), identity, p.request(), p.giveUp());
            String why = redactor.text(String.valueOf(e.getMessage()));
            LOG.error("still NOT parked, its source keeps the message: route={} exchange={}: {}; next attempt in {}, "
                    + "its upstream is not called again", p.giveUp().routeId(), p.giveUp().exchangeId(), why,
                    Durations.human(next));
            exchange.setException(new WaitingForTheStore("gave up earlier and could not be parked: " + why));
        }
    }

    private static Message original(Exchange exchange) {
        try {
            if (exchange.getUnitOfWork() != null && exchange.getUnitOfWork().getOriginalInMessage() != null) {
                return exchange.getUnitOfWork().getOriginalInMessage();
            }
        } catch (IllegalStateException e) {
            // no original message kept in this context
        }
        return exchange.getIn();
    }

    /** The source message: the route it entered, and its file, or its body and carried key. */
    static String identity(Exchange exchange, Message arrived) {
        StringBuilder sb = new StringBuilder(String.valueOf(exchange.getFromRouteId())).append('\n');
        String file = arrived.getHeader(Exchange.FILE_PATH, String.class);
        if (file != null) {
            return sb.append("file ").append(file).append(' ').append(arrived.getHeader(Exchange.FILE_LENGTH))
                    .append(' ').append(arrived.getHeader(Exchange.FILE_LAST_MODIFIED)).toString();
        }
        sb.append(BodyDigest.sha256(exchange.getContext(), BodyDigest.rereadable(arrived)).orElse("empty"));
        String carried = arrived.getHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER, String.class);
        return carried == null ? sb.toString() : sb.append('\n').append(carried).toString();
    }

    /** The exchange of a message that gave up earlier fails again, without a call: the store has not taken it yet. */
    static final class WaitingForTheStore extends RuntimeException {
        WaitingForTheStore(String message) {
            super(message, null, false, false);
        }
    }
}
