package io.selfheal.testing;

import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder.responseDefinition;

/**
 * A WireMock upstream (a ledger that books records) with a fault plan per record, and the server side of the
 * Idempotency-Key contract (IETF httpapi idempotency-key draft, as Stripe and others implement it): the first success
 * of a key books the record once (a side effect); a later request with a key that already succeeded changes nothing
 * and gets the stored answer again, marked {@value #REPLAYED_HEADER}. So a client that re-sends a booked record after a
 * crash (it cannot know the answer it lost) causes no second booking, provided it sends the same key; a client that
 * changed the key would book twice, which the accounting catches.
 * <p>
 * The plan of a record says what its n-th call gets: 503, 500, 429 with {@code Retry-After: 1}, a connection reset
 * (status 0 in a plan) or 400 (permanent), then 201, or 503 for ever (never succeeds). The record id is read from the
 * JSON body ({@code "id":"r00042"}). The ledger also counts, without a request journal (for long runs), the keys each
 * record was sent under and the bookings per record.
 */
public final class FlakyLedger implements ResponseDefinitionTransformerV2 {
    public static final String NAME = "flaky-ledger";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final Pattern RECORD_ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    /** What a record's calls get, by kind. */
    public enum Kind {
        OK, TRANSIENT, RATE_LIMITED, MIXED, PERMANENT, EXHAUSTED;

        /** True when the record can only end parked. */
        public boolean parks() {
            return this == PERMANENT || this == EXHAUSTED;
        }
    }

    /** The statuses of calls 1..n, then {@code last} for every later call. */
    public record Plan(Kind kind, List<Integer> first, int last) {
        int statusOf(int call) {
            return call <= first.size() ? first.get(call - 1) : last;
        }

        /**
         * A seeded mix: most records succeed at once, some after 503s, 500s or a 429, some are refused (400) and some
         * never succeed.
         */
        public static Plan draw(Random r) {
            int p = r.nextInt(100);
            if (p < 70) {
                return new Plan(Kind.OK, List.of(), 201);
            }
            if (p < 80) {
                return new Plan(Kind.TRANSIENT, repeat(503, 1 + r.nextInt(3)), 201);
            }
            if (p < 86) {
                return new Plan(Kind.TRANSIENT, repeat(500, 1 + r.nextInt(2)), 201);
            }
            if (p < 89) {
                return new Plan(Kind.RATE_LIMITED, List.of(429), 201);
            }
            if (p < 93) {
                return new Plan(Kind.MIXED, List.of(503, 429, 500), 201);
            }
            if (p < 97) {
                return new Plan(Kind.PERMANENT, List.of(), 400);
            }
            return new Plan(Kind.EXHAUSTED, List.of(), 503);
        }

        private static List<Integer> repeat(int status, int times) {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < times; i++) {
                out.add(status);
            }
            return out;
        }
    }

    private final Function<String, Plan> plans;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, String> booked = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> bookingsByKey = new ConcurrentHashMap<>();
    private final AtomicLong bookings = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final Map<String, Set<String>> keysByRecord = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> bookingsByRecord = new ConcurrentHashMap<>();
    private final Object[] locks = new Object[64];

    public FlakyLedger(Function<String, Plan> plans) {
        this.plans = plans;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    /** Bookings made (side effects), and per key: the server's own count, for the accounting. */
    public long bookings() {
        return bookings.get();
    }

    Map<String, AtomicInteger> bookingsByKey() {
        return bookingsByKey;
    }

    public long requests() {
        return requests.get();
    }

    public Map<String, Set<String>> keysByRecord() {
        return keysByRecord;
    }

    public Map<String, AtomicInteger> bookingsByRecord() {
        return bookingsByRecord;
    }

    public static String recordId(String body) {
        Matcher m = RECORD_ID.matcher(body == null ? "" : body);
        return m.find() ? m.group(1) : null;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        Request request = event.getRequest();
        String id = recordId(request.getBodyAsString());
        String key = request.getHeader("Idempotency-Key");
        if (id == null) {
            return response(400, "{\"error\":\"no record id\"}", null);
        }
        if (key == null || key.isBlank()) {
            return response(400, "{\"error\":\"Idempotency-Key is required\"}", null);
        }
        requests.incrementAndGet();
        keysByRecord.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(key);
        synchronized (locks[Math.floorMod(key.hashCode(), locks.length)]) {
            String ref = booked.get(key);
            if (ref != null) {
                // a key that already succeeded: the stored answer, no second booking
                return response(201, ref, new HttpHeader(REPLAYED_HEADER, "true"));
            }
            int call = calls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            int status = plans.apply(id).statusOf(call);
            if (status / 100 == 2) {
                ref = "{\"ref\":\"L-" + id + "-" + bookings.incrementAndGet() + "\"}";
                booked.put(key, ref);
                bookingsByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                bookingsByRecord.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                return response(status, ref, null);
            }
            return switch (status) {
                case 0 -> responseDefinition().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
                case 429 -> response(429, "{\"error\":\"slow down\"}", new HttpHeader("Retry-After", "1"));
                case 400 -> response(400, "{\"error\":\"amount is not a number\"}", null);
                default -> response(status, "{\"error\":\"ledger unavailable\"}", null);
            };
        }
    }

    private static ResponseDefinition response(int status, String body, HttpHeader extra) {
        HttpHeaders headers = new HttpHeaders(new HttpHeader("Content-Type", "application/json"));
        if (extra != null) {
            headers = headers.plus(extra);
        }
        return responseDefinition().withStatus(status).withHeaders(headers).withBody(body).build();
    }
}
