package io.selfheal.demo;

import io.selfheal.json.Json;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DEMO ONLY: a deliberately flaky "inventory-service", served by the jar itself on 127.0.0.1 when the demo routes are
 * loaded. Its behaviour is a fixed function of the record id and of how often that id was asked for (so every run
 * shows the same retries, Retry-After waits and give-ups), plus a restart of 1.5 s half a second into the batch (while most records still wait for their first call, so the breaker surely opens) that
 * answers 503 to every call, which opens the circuit breaker until a probe finds the service back.
 */
public final class FlakyUpstream implements Processor {
    private final Map<Integer, AtomicInteger> callsById = new ConcurrentHashMap<>();
    private final AtomicInteger totalCalls = new AtomicInteger();

    /** From this long after the first call, for OUTAGE_LENGTH_MS, the service is restarting: every call gets 503. */
    static final long OUTAGE_START_MS = 500;
    static final long OUTAGE_LENGTH_MS = 1500;
    private volatile long firstCallAt;

    @Override
    public void process(Exchange exchange) {
        int id = Integer.parseInt(exchange.getIn().getHeader("id", "0", String.class).trim());
        int call = callsById.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        totalCalls.incrementAndGet();
        exchange.getMessage().removeHeaders("*");
        // a short restart early in the batch: enough failures in a row to open the breaker
        Reply r = restarting() ? new Reply(503, null) : reply(id, call);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, r.status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (r.retryAfter != null) {
            exchange.getMessage().setHeader("Retry-After", r.retryAfter);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (r.status == 200) {
            body.put("id", id);
            // the digits it has always answered: 10 + id % 7, a dot, then id * 13 % 100 (record 7 costs 10.91)
            body.put("price", new BigDecimal((10 + id % 7) + "." + (id * 13 % 100)));
        } else {
            body.put("error", "demo failure " + r.status + " for record " + id);
        }
        exchange.getMessage().setBody(Json.write(body));
    }

    private synchronized boolean restarting() {
        long now = System.currentTimeMillis();
        if (firstCallAt == 0) {
            firstCallAt = now;
        }
        long since = now - firstCallAt;
        return since >= OUTAGE_START_MS && since < OUTAGE_START_MS + OUTAGE_LENGTH_MS;
    }

    private record Reply(int status, String retryAfter) {
    }

    /** The script: which record fails how. */
    static Reply reply(int id, int call) {
        if (id == 13 || id == 29) {
            return new Reply(400, null);                       // a bad record: never retried
        }
        if (id == 21) {
            return new Reply(503, null);                       // down for this record: retried until max-attempts
        }
        if (id % 10 == 3 && call <= 2) {
            return new Reply(503, null);                       // two blips, then fine
        }
        if (id % 10 == 5 && call == 1) {
            return new Reply(429, "1");                        // rate limited once: wait exactly 1 s
        }
        if (id % 10 == 7 && call == 1) {
            return new Reply(500, null);                       // one blip
        }
        return new Reply(200, null);
    }

    public int totalCalls() {
        return totalCalls.get();
    }
}
