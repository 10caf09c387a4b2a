package io.selfheal.bench.overhead;

import io.selfheal.camel.Selfheal;

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

import com.sun.net.httpserver.HttpServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Exchanges per second through the same route under three kinds of error handling, when nothing fails: the route
 * that inherits {@code self-healing} (as {@link SelfhealContender} configures it), Camel's default error handler,
 * and no error handling. The route sets a header, calls an upstream and shapes the reply. Two upstreams:
 * <ul>
 *     <li>{@value #HTTP}: a POST over HTTP/1.1 keep-alive to a local JDK HTTP server answering at once, the route the
 *         issue describes: Selfheal's breaker gate, retry budget and Idempotency-Key all act on that call;</li>
 *     <li>{@value #DIRECT}: an in-process {@code direct:} route answering at once, so nothing but routing and error
 *         handling is measured (the worst case for any per-exchange cost; breaker and key do not act on it).</li>
 * </ul>
 */
@State(Scope.Benchmark)
public class RoutingOverhead {
    public static final String SELFHEAL = "selfheal";
    public static final String STOCK = "stock-camel";
    public static final String NONE = "no-error-handler";
    /** Informative: stock Camel set up to retry, like the fault schedule's stock contender. */
    public static final String STOCK_RETRYING = "stock-camel-redelivery";

    public static final String HTTP = "http";
    public static final String DIRECT = "direct";

    @Param({SELFHEAL, STOCK, NONE, STOCK_RETRYING})
    public String handling;

    @Param({DIRECT, HTTP})
    public String upstream;

    private HttpServer server;
    private volatile String lastKey;

    private CamelContext ctx;
    private Producer producer;
    private final String body = "{\"order\":42,\"sku\":\"A-7\",\"qty\":3}";

    @Setup(Level.Trial)
    public void start() throws Exception {
        String upstreamUri = "direct:upstream";
        if (HTTP.equals(upstream)) {
            // without TCP_NODELAY the JDK server's small writes meet the client's delayed ACK: 40 ms per call
            System.setProperty("sun.net.httpserver.nodelay", "true");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.setExecutor(Executors.newFixedThreadPool(2));
            byte[] reply = "{\"price\":12.5}".getBytes(StandardCharsets.UTF_8);
            server.createContext("/price", x -> {
                x.getRequestBody().readAllBytes();
                lastKey = x.getRequestHeaders().getFirst("Idempotency-Key");
                x.getResponseHeaders().add("Content-Type", "application/json");
                x.sendResponseHeaders(200, reply.length);
                x.getResponseBody().write(reply);
                x.close();
            });
            server.start();
            upstreamUri = "http://127.0.0.1:" + server.getAddress().getPort() + "/price?httpMethod=POST";
        }
        String calls = upstreamUri;
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
                        .to(calls)
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
        if (e.getException() != null || !"priced {\"price\":12.5}".equals(e.getMessage().getBody(String.class))
                || HTTP.equals(upstream) && SELFHEAL.equals(handling)
                && lastKey == null) {
            throw new IllegalStateException("the measured route does not work: " + e.getException()
                    + (HTTP.equals(upstream) && SELFHEAL.equals(handling) ? "; Idempotency-Key sent: " + lastKey : ""));
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        producer.stop();
        ctx.stop();
        if (server != null) {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
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
