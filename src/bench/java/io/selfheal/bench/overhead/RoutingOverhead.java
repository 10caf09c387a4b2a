package io.selfheal.bench.overhead;

import io.selfheal.bench.SelfhealContender;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.Map;

/**
 * Exchanges per second through the same route under three kinds of error handling, when nothing fails: the route
 * that inherits {@code self-healing} (as {@link SelfhealContender} configures it), Camel's default error handler,
 * and no error handling. The route sets a header, calls an in-process upstream (a {@code direct:} route answering
 * at once) and shapes the reply, so what is measured is the routing and error-handling overhead, not I/O.
 */
@State(Scope.Benchmark)
public class RoutingOverhead {
    public static final String SELFHEAL = "selfheal";
    public static final String STOCK = "stock-camel";
    public static final String NONE = "no-error-handler";
    /** Informative: stock Camel set up to retry, like the fault schedule's stock contender. */
    public static final String STOCK_RETRYING = "stock-camel-redelivery";

    @Param({SELFHEAL, STOCK, NONE, STOCK_RETRYING})
    public String handling;

    private CamelContext ctx;
    private Producer producer;
    private final String body = "{\"order\":42,\"sku\":\"A-7\",\"qty\":3}";

    @Setup(Level.Trial)
    public void start() throws Exception {
        ctx = SELFHEAL.equals(handling) ? SelfhealContender.newContext(SelfhealContender.scaled(1)) : new DefaultCamelContext();
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                RouteDefinition route = from("direct:in").routeId("measured");
                switch (handling) {
                    case SELFHEAL -> SelfhealContender.inherit(route, null);
                    case STOCK -> route.errorHandler(defaultErrorHandler());
                    case NONE -> route.errorHandler(noErrorHandler());
                    case STOCK_RETRYING -> route.errorHandler(defaultErrorHandler().maximumRedeliveries(7)
                            .redeliveryDelay(1000).useExponentialBackOff().useCollisionAvoidance());
                    default -> throw new IllegalArgumentException(handling);
                }
                route.setHeader("X-Source").constant("bench")
                        .to("direct:upstream")
                        .process(e -> e.getMessage().setBody("priced " + e.getMessage().getBody(String.class)));

                // the upstream: answers at once, no error handling of its own in any variant
                from("direct:upstream").routeId("upstream").errorHandler(noErrorHandler())
                        .process(e -> e.getMessage().setBody("{\"price\":12.5}"));
            }
        });
        ctx.start();
        producer = ctx.getEndpoint("direct:in").createProducer();
        producer.start();
        // prove the route works before measuring it
        Exchange e = send();
        if (e.getException() != null || !"priced {\"price\":12.5}".equals(e.getMessage().getBody(String.class))) {
            throw new IllegalStateException("the measured route does not work: " + e.getException());
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        producer.stop();
        ctx.stop();
    }

    private Exchange send() throws Exception {
        Exchange e = producer.getEndpoint().createExchange();
        e.getIn().setBody(body);
        producer.process(e);
        return e;
    }

    @Benchmark
    public Object exchange() throws Exception {
        Exchange e = send();
        if (e.getException() != null) {
            throw e.getException();
        }
        return e.getMessage().getBody();
    }

    /** For the report: the variants in the order of the table. */
    static Map<String, String> labels() {
        return Map.of(SELFHEAL, "Selfheal " + SelfhealContender.describe(),
                STOCK, "stock Camel (DefaultErrorHandler)",
                NONE, "no error handling (noErrorHandler)",
                STOCK_RETRYING, "stock Camel with redelivery (7, exponential): for comparison");
    }
}
