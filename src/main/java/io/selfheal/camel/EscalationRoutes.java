package io.selfheal.camel;

import io.selfheal.escalation.GiveUp;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The escalation endpoint {@value SelfHealing#ESCALATION_ENDPOINT}: receives every given-up exchange with its
 * {@link GiveUp} record, logs it, parks the message durably (synchronously: a failed write fails the exchange, so its
 * source does not acknowledge it) and raises the alert (asynchronously: a slow sink never holds the pipeline).
 */
public class EscalationRoutes extends RouteBuilder {
    static final Logger ESCALATION_LOG = LoggerFactory.getLogger("io.selfheal.escalation");

    @Override
    public void configure() {
        // no error handler of its own: a parking failure goes straight back to the failing exchange (which then
        // fails), and is not logged here with a message history that could show the caller's endpoint URIs
        from(SelfHealing.ESCALATION_ENDPOINT).routeId("selfheal-escalation")
                .errorHandler(noErrorHandler())
                .process(new Escalator());
    }
}
