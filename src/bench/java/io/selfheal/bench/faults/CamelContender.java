package io.selfheal.bench.faults;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.SynchronizationAdapter;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Camel contenders: the same route, {@code seda} with the run's number of concurrent consumers POSTing each message to the upstream
 * with camel-http; only the error handling differs. A message counts as delivered when the route got past the call.
 */
abstract class CamelContender implements FaultContender {
    static final String DELIVERED = "BenchDelivered";
    private CamelContext ctx;
    private ProducerTemplate template;
    /** Messages that ended undelivered, by the exception they ended with ("handled" when none was left). */
    private final Map<String, Integer> undelivered = new TreeMap<>();

    abstract CamelContext newContext() throws Exception;

    abstract void shape(RouteDefinition route, RouteBuilder builder);

    CamelContext context() {
        return ctx;
    }

    @Override
    public void start(int port, int workers, Recorder recorder) throws Exception {
        ctx = newContext();
        // a run that ends at its time bound leaves exchanges in flight: stop without Camel's 45 s graceful wait
        ctx.getShutdownStrategy().setTimeout(5);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                RouteDefinition route = from("seda:faults?concurrentConsumers=" + workers + "&size=100000").routeId("faults");
                shape(route, this);
                route.process(e -> {
                            int id = e.getIn().getHeader("msgId", Integer.class);
                            recorder.pickedUp(id);
                            e.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                                @Override
                                public void onDone(Exchange done) {
                                    boolean ok = done.getException() == null
                                            && Boolean.TRUE.equals(done.getProperty(DELIVERED, Boolean.class));
                                    if (!ok) {
                                        String how = done.getException() == null ? "handled"
                                                : done.getException().getClass().getSimpleName();
                                        synchronized (undelivered) {
                                            undelivered.merge(how, 1, Integer::sum);
                                        }
                                    }
                                    recorder.finish(id, ok);
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

    /** How the undelivered messages ended: by exception class, "handled" for those the error handler handled. */
    Map<String, Integer> undelivered() {
        synchronized (undelivered) {
            return new TreeMap<>(undelivered);
        }
    }

    @Override
    public String afterRun() {
        Map<String, Integer> u = undelivered();
        return u.isEmpty() ? "" : "undelivered messages ended " + u;
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
