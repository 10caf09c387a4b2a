package io.selfheal.camel.escalation;

import io.selfheal.camel.SelfHealingClauses;
import io.selfheal.camel.SelfhealProperties;

import io.selfheal.breaker.BreakerTransition;
import io.selfheal.json.Json;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * Sends an event to the escalation endpoint each time an upstream's breaker opens, marked
 * {@code SelfhealEscalationKind=BREAKER_OPEN} (a give-up is {@code GIVE_UP}) and carrying the
 * {@link BreakerTransition} in {@code SelfhealBreakerTransition}; the body is the same as JSON. Sent asynchronously:
 * the transition happens on a route's thread, which must not wait for alerting.
 */
public final class BreakerEscalation implements Consumer<BreakerTransition> {
    private static final Logger LOG = LoggerFactory.getLogger("io.selfheal.breaker");

    private final CamelContext context;
    private volatile ProducerTemplate template;

    public BreakerEscalation(CamelContext context) {
        this.context = context;
    }

    @Override
    public void accept(BreakerTransition t) {
        if (!t.opened() || !context.isStarted()) {
            return;
        }
        try {
            template().asyncSend(SelfHealingClauses.ESCALATION_ENDPOINT, exchange -> {
                exchange.setProperty(SelfhealProperties.ESCALATION_KIND, SelfhealProperties.KIND_BREAKER_OPEN);
                exchange.setProperty(SelfhealProperties.BREAKER_TRANSITION, t);
                exchange.setProperty(SelfhealProperties.UPSTREAM, t.upstream());
                exchange.getIn().setBody(Json.write(t.toMap()));
            });
        } catch (RuntimeException e) {
            LOG.warn("could not escalate the opening of breaker {}: {}", t.upstream(), e.toString());
        }
    }

    private ProducerTemplate template() {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                t = template;
                if (t == null) {
                    t = context.createProducerTemplate();
                    template = t;
                }
            }
        }
        return t;
    }
}
