package io.selfheal.camel;

import io.selfheal.escalation.GiveUp;
import io.selfheal.escalation.Json;
import io.selfheal.observe.LogFields;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The escalation endpoint {@value SelfHealing#ESCALATION_ENDPOINT}: receives every given-up exchange with its
 * {@link GiveUp} record. By default it writes one ERROR line with the summary and the same facts as JSON.
 */
public class EscalationRoutes extends RouteBuilder {
    static final Logger ESCALATION_LOG = LoggerFactory.getLogger("io.selfheal.escalation");

    @Override
    public void configure() {
        from(SelfHealing.ESCALATION_ENDPOINT).routeId("selfheal-escalation")
                .process(exchange -> {
                    GiveUp g = exchange.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class);
                    if (g != null) {
                        Map<String, Object> fields = new LinkedHashMap<>();
                        fields.put("event", "gave_up");
                        g.toMap().forEach((k, v) -> fields.put(k, v instanceof java.util.Collection<?> ? Json.write(v) : v));
                        LogFields.with(fields, () -> ESCALATION_LOG.error("gave up: route={} upstream={} reason={} {} | {}",
                                g.routeId(), g.upstream(), g.reason(), g.summary(), g.toJson()));
                    }
                });
    }
}
