package io.selfheal.bench.faults;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.SynchronizationAdapter;

import java.util.List;

/**
 * The Camel contenders: the same route, {@code seda} with 4 concurrent consumers POSTing each message to the upstream
 * with camel-http; only the error handling differs. A message counts as delivered when the route got past the call.
 */
abstract class CamelContender implements FaultContender {
    static final String DELIVERED = "BenchDelivered";
    private CamelContext ctx;
    private ProducerTemplate template;

    abstract CamelContext newContext() throws Exception;

    abstract void shape(RouteDefinition route, RouteBuilder builder);

    CamelContext context() {
        return ctx;
    }

    @Override
    public void start(int port, Recorder recorder) throws Exception {
        ctx = newContext();
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                RouteDefinition route = from("seda:faults?concurrentConsumers=" + WORKERS + "&size=100000").routeId("faults");
                shape(route, this);
                route.process(e -> {
                            int id = e.getIn().getHeader("msgId", Integer.class);
                            recorder.pickedUp(id);
                            e.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                                @Override
                                public void onDone(Exchange done) {
                                    recorder.finish(id, done.getException() == null
                                            && Boolean.TRUE.equals(done.getProperty(DELIVERED, Boolean.class)));
                                }
                            });
                        })
                        .setHeader(Exchange.HTTP_METHOD).constant("POST")
                        .setHeader(Exchange.CONTENT_TYPE).constant("application/json")
                        .toD("http://127.0.0.1:" + port + "/messages/${header.msgId}?connectTimeout=2000&responseTimeout=15000")
                        .setProperty(DELIVERED).constant(true);
            }
        });
        ctx.start();
        template = ctx.createProducerTemplate();
    }

    @Override
    public void submitAll(List<Integer> ids) {
        for (int id : ids) {
            template.sendBodyAndHeader("seda:faults", BODY, "msgId", id);
        }
    }

    @Override
    public void close() throws Exception {
        if (ctx != null) {
            ctx.stop();
        }
    }
}
