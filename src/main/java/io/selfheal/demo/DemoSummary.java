package io.selfheal.demo;

import io.selfheal.camel.SelfhealProperties;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DEMO ONLY: collects each record's outcome from the batch's split and prints the one-screen summary at its end.
 */
public final class DemoSummary implements AggregationStrategy, CamelContextAware {
    private static final Logger LOG = LoggerFactory.getLogger("io.selfheal.demo.summary");

    private final AtomicInteger records = new AtomicInteger();
    private final AtomicInteger firstTry = new AtomicInteger();
    private final AtomicInteger afterRetries = new AtomicInteger();
    private final Map<String, AtomicInteger> givenUp = new TreeMap<>();
    private final long startedAt = System.nanoTime();
    private final Map<String, AtomicInteger> breakerTransitions = new java.util.concurrent.ConcurrentSkipListMap<>();
    private CamelContext camelContext;

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        records.incrementAndGet();
        String reason = newExchange.getProperty(SelfhealProperties.GIVE_UP_REASON, String.class);
        Integer attempts = newExchange.getProperty(SelfhealProperties.ATTEMPTS, Integer.class);
        synchronized (givenUp) {
            if (reason != null) {
                givenUp.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
            } else if (attempts != null && attempts > 1) {
                afterRetries.incrementAndGet();
            } else {
                firstTry.incrementAndGet();
            }
        }
        return oldExchange == null ? newExchange : oldExchange;
    }

    /** Prints the summary; called once the split has seen every record. */
    public String print() {
        int upstreamCalls = camelContext == null ? -1
                : camelContext.getRegistry().lookupByNameAndType("demoUpstream", FlakyUpstream.class).totalCalls();
        StringBuilder sb = new StringBuilder();
        sb.append("\n================ Selfheal demo: batch summary ================\n");
        sb.append(String.format("records in batch            %4d%n", records.get()));
        sb.append(String.format("delivered                   %4d  (first try %d, after retries %d)%n",
                firstTry.get() + afterRetries.get(), firstTry.get(), afterRetries.get()));
        int total = givenUp.values().stream().mapToInt(AtomicInteger::get).sum();
        sb.append(String.format("given up                    %4d%n", total));
        givenUp.forEach((reason, n) -> sb.append(String.format("    %-24s%4d%n", reason, n.get())));
        sb.append(String.format("calls to inventory-service  %4d  (%.2f per record)%n", upstreamCalls,
                records.get() == 0 ? 0.0 : upstreamCalls / (double) records.get()));
        sb.append(String.format("batch time                  %5.1fs%n", (System.nanoTime() - startedAt) / 1e9));
        sb.append("circuit breaker transitions during the batch:\n");
        if (breakerTransitions.isEmpty()) {
            sb.append("    (none)\n");
        }
        breakerTransitions.forEach((t, n) -> sb.append(String.format("    %-38s%3d%n", t, n.get())));
        sb.append("delivered rows are in the H2 database ./data/demo (table DEMO_DELIVERIES)\n");
        sb.append("given-up records are parked, nothing is lost: java -jar target/selfheal.jar parked list\n");
        sb.append("retry drift per upstream (also: java -jar target/selfheal.jar report, while a job runs):\n");
        sb.append(retryReport());
        sb.append("==============================================================");
        LOG.info(sb.toString());
        return sb.toString();
    }

    private String retryReport() {
        io.micrometer.core.instrument.MeterRegistry registry = camelContext == null ? null
                : camelContext.getRegistry().lookupByNameAndType("metricsRegistry", io.micrometer.core.instrument.MeterRegistry.class);
        if (registry instanceof io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus) {
            return io.selfheal.observe.RetryReport.fromScrape(prometheus.scrape()).format();
        }
        return "(no Prometheus registry)\n";
    }

    public int delivered() {
        return firstTry.get() + afterRetries.get();
    }

    public Map<String, Integer> givenUpByReason() {
        Map<String, Integer> m = new TreeMap<>();
        synchronized (givenUp) {
            givenUp.forEach((k, v) -> m.put(k, v.get()));
        }
        return m;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        if (this.camelContext == camelContext) {
            return; // Camel may inject the context more than once: subscribe once
        }
        this.camelContext = camelContext;
        io.selfheal.camel.SelfhealRuntime.of(camelContext).breakers().onTransitionEvent(t ->
                breakerTransitions.computeIfAbsent(t.upstream() + ": " + t.from() + " -> " + t.to(),
                        k -> new AtomicInteger()).incrementAndGet());
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
