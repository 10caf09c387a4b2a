package io.selfheal.bench.faults;

import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.core5.util.TimeValue;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;

/**
 * Stock Camel: {@code DefaultErrorHandler} with exponential backoff and collision avoidance, 7 redeliveries, Camel's
 * defaults otherwise (synchronous redelivery; camel-http as shipped), delays ÷ 10 like every contender.
 */
final class StockCamelFaults extends CamelContender {
    @Override
    public String name() {
        return "stock Camel";
    }

    @Override
    public String configuration() {
        return "defaultErrorHandler().maximumRedeliveries(7).redeliveryDelay(100).useExponentialBackOff()"
                + ".backOffMultiplier(2).useCollisionAvoidance().maximumRedeliveryDelay(6000) (Camel's 1 s and 60 s ÷ "
                + FaultSchedule.SCALE + "); retries every exception; camel-http's Apache HttpClient 5 keeps its own retry as "
                + "shipped (once, on 429/503, after Retry-After or its 1 s default ÷ " + FaultSchedule.SCALE
                + "), the only layer here that reads Retry-After";
    }

    @Override
    CamelContext newContext() {
        DefaultCamelContext ctx = new DefaultCamelContext();
        // camel-http as shipped keeps Apache HttpClient 5's own retry (once, on 429 and 503, after Retry-After or
        // 1 s, even for POST); it stays on, with its 1 s scaled like every other delay
        HttpComponent http = ctx.getComponent("http", HttpComponent.class);
        http.setHttpClientConfigurer(builder -> builder.setRetryStrategy(
                new DefaultHttpRequestRetryStrategy(1, TimeValue.ofMilliseconds(1000 / FaultSchedule.SCALE))));
        return ctx;
    }

    @Override
    void shape(RouteDefinition route, RouteBuilder builder) {
        route.errorHandler(builder.defaultErrorHandler()
                .maximumRedeliveries(7)
                .redeliveryDelay(1000 / FaultSchedule.SCALE)
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .useCollisionAvoidance()
                .maximumRedeliveryDelay(60_000 / FaultSchedule.SCALE));
    }
}
