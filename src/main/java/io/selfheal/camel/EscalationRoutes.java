package io.selfheal.camel;

import io.selfheal.breaker.BreakerTransition;
import io.selfheal.escalation.Durations;
import io.selfheal.escalation.GiveUp;
import io.selfheal.escalation.Json;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The escalation endpoint {@value SelfHealing#ESCALATION_ENDPOINT}: receives every given-up exchange with its
 * {@link GiveUp} record ({@code SelfhealEscalationKind=GIVE_UP}), and an event each time an upstream's breaker opens
 * ({@code SelfhealEscalationKind=BREAKER_OPEN}, with its {@link BreakerTransition}). By default it writes one ERROR
 * line for each, with the summary and the same facts as JSON.
 */
public class EscalationRoutes extends RouteBuilder {
    static final Logger ESCALATION_LOG = LoggerFactory.getLogger("io.selfheal.escalation");

    @Override
    public void configure() {
        from(SelfHealing.ESCALATION_ENDPOINT).routeId("selfheal-escalation")
                .process(exchange -> {
                    GiveUp g = exchange.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class);
                    BreakerTransition b = exchange.getProperty(SelfhealProperties.BREAKER_TRANSITION, BreakerTransition.class);
                    if (g != null) {
                        ESCALATION_LOG.error("gave up: route={} upstream={} reason={} {} | {}", g.routeId(), g.upstream(),
                                g.reason(), g.summary(), g.toJson());
                    } else if (b != null) {
                        ESCALATION_LOG.error("breaker opened: upstream={} reason={} {}->{}, calls refused for {} | {}",
                                b.upstream(), b.reason(), b.from(), b.to(),
                                b.openFor() == null ? "?" : Durations.human(b.openFor()), Json.write(b.toMap()));
                    }
                });
    }
}
