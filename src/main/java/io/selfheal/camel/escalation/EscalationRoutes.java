package io.selfheal.camel.escalation;

import io.selfheal.camel.SelfHealingClauses;
import io.selfheal.camel.SelfhealProperties;

import io.selfheal.breaker.BreakerTransition;
import io.selfheal.config.Durations;
import io.selfheal.escalation.GiveUp;
import io.selfheal.json.Json;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The escalation endpoint {@value SelfHealingClauses#ESCALATION_ENDPOINT}: receives every given-up exchange with its
 * {@link GiveUp} record ({@code SelfhealEscalationKind=GIVE_UP}): logs it, parks the message durably (synchronously: a
 * failed write fails the exchange, so its source does not acknowledge it) and raises the alert (asynchronously: a slow
 * sink never holds the pipeline). It also receives an event each time an upstream's breaker opens
 * ({@code SelfhealEscalationKind=BREAKER_OPEN}, with its {@link BreakerTransition}): that is logged, not parked.
 */
public class EscalationRoutes extends RouteBuilder {
    static final Logger ESCALATION_LOG = LoggerFactory.getLogger("io.selfheal.escalation");

    @Override
    public void configure() {
        // no error handler of its own: a parking failure goes straight back to the failing exchange (which then
        // fails), and is not logged here with a message history that could show the caller's endpoint URIs
        from(SelfHealingClauses.ESCALATION_ENDPOINT).routeId("selfheal-escalation")
                .errorHandler(noErrorHandler())
                .choice()
                    .when(exchangeProperty(SelfhealProperties.ESCALATION_KIND).isEqualTo(SelfhealProperties.KIND_BREAKER_OPEN))
                        .process(exchange -> {
                            BreakerTransition b = exchange.getProperty(SelfhealProperties.BREAKER_TRANSITION, BreakerTransition.class);
                            if (b != null) {
                                ESCALATION_LOG.error("breaker opened: upstream={} reason={} {}->{}, calls refused for {} | {}",
                                        b.upstream(), b.reason(), b.from(), b.to(),
                                        b.openFor() == null ? "?" : Durations.human(b.openFor()), Json.write(b.toMap()));
                            }
                        })
                    .otherwise()
                        .process(new Escalator())
                .end();
    }
}
