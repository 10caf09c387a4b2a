package io.selfheal.camel.retry;

import io.selfheal.camel.Selfheal;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;


import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Selfheal's error handler keeps Camel's redelivery semantics while its first attempt skips Camel's copy of the
 * exchange: a failed step is redelivered with the message as it was before the step, whatever the step did to it.
 */
class SelfhealErrorHandlerTest {
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    private Exchange send(String body) {
        return ctx.createProducerTemplate().send("direct:in", e -> e.getIn().setBody(body));
    }

    @Test
    void aStepThatChangesTheMessageAndThenFailsIsRedeliveredWithTheMessageAsItWasBefore() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        ctx = contexts.start(TestContexts.scaled(), new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").routeId("mangler").routeConfigurationId("self-healing")
                        .setHeader("kept").constant("yes")
                        .process(e -> {
                            seen.add(e.getIn().getBody(String.class) + "|" + e.getIn().getHeader("kept")
                                    + "|" + e.getIn().getHeader("scratch"));
                            e.getIn().setBody("mangled");
                            e.getIn().setHeader("scratch", "dirty");
                            e.getIn().removeHeader("kept");
                            if (calls.incrementAndGet() < 3) {
                                throw new SocketTimeoutException("upstream too slow");
                            }
                        });
            }
        });
        Exchange out = send("order-1");
        assertThat(out.getException()).isNull();
        assertThat(seen).containsExactly("order-1|yes|null", "order-1|yes|null", "order-1|yes|null");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(3);
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("mangled");
    }

    @Test
    void aSubRouteThatChangesTheMessageAndThenFailsIsCalledAgainWithTheMessageAsItWasBefore() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        ctx = contexts.start(TestContexts.scaled(), new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").routeId("caller").routeConfigurationId("self-healing")
                        .setHeader("n").constant(1)
                        .to("direct:sub")
                        .setBody(simple("${body} done"));
                from("direct:sub").routeId("sub").errorHandler(noErrorHandler())
                        .process(e -> seen.add(e.getIn().getBody(String.class) + "|" + e.getIn().getHeader("n")))
                        .setBody(constant("half-written"))
                        .setHeader("n").constant(99)
                        .process(e -> {
                            if (calls.incrementAndGet() == 1) {
                                throw new java.net.ConnectException("refused");
                            }
                        });
            }
        });
        Exchange out = send("order-2");
        assertThat(out.getException()).isNull();
        assertThat(seen).containsExactly("order-2|1", "order-2|1");
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("half-written done");
    }

    /** A bean in an expression: the step sets nothing when it fails, and is retried like any other. */
    public static final class FlakyPrice {
        private final AtomicInteger calls = new AtomicInteger();

        public String price(String body) throws SocketTimeoutException {
            if (calls.incrementAndGet() == 1) {
                throw new SocketTimeoutException("price service slow");
            }
            return "12.50";
        }
    }

    @Test
    void anExpressionStepThatFailsTransientlyIsRetriedAndSetsItsResultOnce() throws Exception {
        FlakyPrice prices = new FlakyPrice();
        ctx = contexts.start(TestContexts.scaled(), new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").routeId("pricer").routeConfigurationId("self-healing")
                        .setHeader("price").method(prices, "price")
                        .setBody(simple("${body} at ${header.price}"));
            }
        });
        Exchange out = send("sku-7");
        assertThat(out.getException()).isNull();
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("sku-7 at 12.50");
        assertThat(prices.calls).hasValue(2);
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
    }

    @Test
    void eachItemOfASplitIsRetriedOnItsOwnFromItsOwnBody() throws Exception {
        ConcurrentHashMap<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        List<String> delivered = new CopyOnWriteArrayList<>();
        ctx = contexts.start(TestContexts.scaled(), new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").routeId("splitter").routeConfigurationId("self-healing")
                        .split(body().tokenize(","))
                            .process(e -> {
                                String item = e.getIn().getBody(String.class);
                                e.getIn().setBody("spoiled " + item);
                                if (calls.computeIfAbsent(item, k -> new AtomicInteger()).incrementAndGet() == 1) {
                                    throw new SocketTimeoutException("item " + item);
                                }
                                delivered.add(item);
                            })
                        .end();
            }
        });
        Exchange out = send("a,b,c");
        assertThat(out.getException()).isNull();
        assertThat(delivered).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(calls.values()).allSatisfy(n -> assertThat(n).hasValue(2));
    }

    @Test
    void aPermanentFailureIsNotRedeliveredAndTheMessageIsEscalated() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ctx = contexts.start(TestContexts.scaled(), new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").routeId("strict").routeConfigurationId("self-healing")
                        .process(e -> {
                            calls.incrementAndGet();
                            throw new IllegalArgumentException("bad order");
                        });
            }
        });
        Exchange out = send("order-3");
        assertThat(calls).hasValue(1);
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(1);
    }

    @Test
    void routesThatNameSelfHealingRunSelfhealsHandlerAndOthersKeepTheirs() throws Exception {
        ctx = contexts.start(TestContexts.scaled(), new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").routeId("healing").routeConfigurationId("self-healing").log("x");
                from("direct:plain").routeId("plain").log("y");
            }
        });
        assertThat(SelfhealErrorHandlerDefinition.heals(ctx.getRoute("healing"))).isTrue();
        assertThat(SelfhealErrorHandlerDefinition.heals(ctx.getRoute("plain"))).isFalse();
    }
}
