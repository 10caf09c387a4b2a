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
 * loaded. Its behaviour is a fixed function of the job's run (the {@code run} query parameter; none is run 1), the
 * record id and how often that id was asked for in that run, so every demo shows the same retries, Retry-After waits
 * and give-ups: run 1 also has a restart of 1.5 s half a second in (while most records still wait for their first
 * call, so the breaker surely opens) that answers 503 to every call, two bad records and one record it is down for;
 * run 2 only blips; run 3 answers every call at once.
 */
public final class FlakyUpstream implements Processor {
    private final Map<String, AtomicInteger> callsByRunAndId = new ConcurrentHashMap<>();
    private final AtomicInteger totalCalls = new AtomicInteger();

    /** From this long after the first call, for OUTAGE_LENGTH_MS, the service is restarting: every call gets 503. */
    static final long OUTAGE_START_MS = 500;
    static final long OUTAGE_LENGTH_MS = 1500;
    private volatile long firstCallAt;

    @Override
    public void process(Exchange exchange) {
        int id = Integer.parseInt(exchange.getIn().getHeader("id", "0", String.class).trim());
        String runParam = exchange.getIn().getHeader("run", "", String.class).trim();
        int run = runParam.matches("\\d{1,6}") ? Integer.parseInt(runParam) : 1;
        int call = callsByRunAndId.computeIfAbsent(run + "/" + id, k -> new AtomicInteger()).incrementAndGet();
        totalCalls.incrementAndGet();
        exchange.getMessage().removeHeaders("*");
        // a short restart early in the first run: enough failures in a row to open the breaker
        Reply r = run == 1 && restarting() ? new Reply(503, null) : reply(run, id, call);
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

    /** The script: which record fails how, in which run. */
    static Reply reply(int run, int id, int call) {
        if (run >= 3) {
            return new Reply(200, null);                       // a quiet night
        }
        if (run == 1 && (id == 13 || id == 29)) {
            return new Reply(400, null);                       // a bad record: never retried
        }
        if (run == 1 && id == 21) {
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
