package io.selfheal.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real rate-limited HTTP upstream: a JDK HTTP server on 127.0.0.1 (ephemeral port) behind a token bucket shared
 * by every caller, refilled at R requests/s up to a burst of B. A call that finds a token is answered 200 after the
 * service time; any other is answered {@code 429} with {@code Retry-After: 1}. Rate and burst can change while it
 * runs. Every call is journalled (arrival, answer instant, path, status, Idempotency-Key, and the message id, the
 * last path segment), so a test can count what callers did: calls, 429s, calls per message, the densest window of
 * arrivals, arrivals per second, and calls that came before a Retry-After it stated allowed.
 */
public final class RateLimitedUpstream implements AutoCloseable {
    public static final int RETRY_AFTER_SECONDS = 1;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    static {
        // TCP_NODELAY on accepted connections: the JDK server writes headers and body apart, and without it every
        // answer waits ~40 ms for a delayed ACK, which would make the upstream slower than its stated rate
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** One call as the upstream saw it; {@code answeredNanos} is taken just before the answer is written. */
    public record Call(long arrivalNanos, long answeredNanos, String path, String id, int status, String idempotencyKey) {
    }

    private final TokenBucket bucket;
    private final long serviceNanos;
    private final HttpServer server;
    private final ExecutorService workers;
    private final ConcurrentLinkedQueue<Call> journal = new ConcurrentLinkedQueue<>();
    private volatile long origin;

    /** R requests/s, burst B, 2 ms service time, 16 server threads. */
    public RateLimitedUpstream(double ratePerSecond, int burst) throws IOException {
        this(ratePerSecond, burst, Duration.ofMillis(2), 16);
    }

    public RateLimitedUpstream(double ratePerSecond, int burst, Duration serviceTime, int threads) throws IOException {
        this.bucket = new TokenBucket(ratePerSecond, burst);
        this.serviceNanos = serviceTime.toNanos();
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "rate-limited-upstream-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(workers);
        server.createContext("/", this::handle);
        this.origin = System.nanoTime();
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:port} */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public void setRate(double ratePerSecond) {
        bucket.setRate(ratePerSecond, System.nanoTime());
    }

    public void setBurst(int burst) {
        bucket.setBurst(burst, System.nanoTime());
    }

    public double rate() {
        return bucket.rate();
    }

    public int burst() {
        return bucket.burst();
    }

    /** Clears the journal, refills the bucket, and starts the per-second timeline from now. */
    public void reset() {
        journal.clear();
        long now = System.nanoTime();
        bucket.refillFully(now);
        origin = now;
    }

    /** The instant (nanoTime) the per-second timeline counts from: construction or the last {@link #reset()}. */
    public long origin() {
        return origin;
    }

    private void handle(HttpExchange ex) throws IOException {
        long arrival = System.nanoTime();
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
        String path = ex.getRequestURI().getPath();
        String id = path.substring(path.lastIndexOf('/') + 1);
        String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
        boolean admitted = bucket.tryTake(arrival);
        if (admitted) {
            sleepNanos(serviceNanos);
        }
        int status = admitted ? 200 : 429;
        // journalled before the answer leaves, so a caller that has read the answer finds its call counted
        journal.add(new Call(arrival, System.nanoTime(), path, id, status, key));
        byte[] body = (admitted ? "{\"id\":\"" + id + "\",\"accepted\":true}" : "slow down")
                .getBytes(StandardCharsets.UTF_8);
        if (!admitted) {
            ex.getResponseHeaders().set("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        }
        ex.getResponseHeaders().set("Content-Type", admitted ? "application/json" : "text/plain");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void sleepNanos(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every call since the last reset, in arrival order. */
    public List<Call> journal() {
        List<Call> calls = new ArrayList<>(journal);
        calls.sort(Comparator.comparingLong(Call::arrivalNanos));
        return calls;
    }

    public int calls() {
        return journal.size();
    }

    public int throttled() {
        return count(429);
    }

    public int accepted() {
        return count(200);
    }

    private int count(int status) {
        int n = 0;
        for (Call c : journal) {
            if (c.status() == status) {
                n++;
            }
        }
        return n;
    }

    public int callsFor(String id) {
        int n = 0;
        for (Call c : journal) {
            if (c.id().equals(id)) {
                n++;
            }
        }
        return n;
    }

    public Map<String, Integer> callsPerId() {
        Map<String, Integer> perId = new HashMap<>();
        for (Call c : journal) {
            perId.merge(c.id(), 1, Integer::sum);
        }
        return perId;
    }

    /** The most calls that arrived within any window of {@code window} length (start inclusive, end exclusive). */
    public int maxArrivalsWithin(Duration window) {
        long w = window.toNanos();
        List<Call> calls = journal();
        int best = 0;
        int start = 0;
        for (int end = 0; end < calls.size(); end++) {
            while (calls.get(end).arrivalNanos() - calls.get(start).arrivalNanos() >= w) {
                start++;
            }
            best = Math.max(best, end - start + 1);
        }
        return best;
    }

    /** Arrivals per 1 s bucket counted from {@link #origin()}; index i covers [origin + i s, origin + i+1 s). */
    public int[] arrivalsPerSecond() {
        return perSecond(false);
    }

    /** Calls answered 200 per 1 s bucket of arrival, counted from {@link #origin()}. */
    public int[] acceptedPerSecond() {
        return perSecond(true);
    }

    private int[] perSecond(boolean acceptedOnly) {
        long from = origin;
        List<Call> calls = journal();
        if (calls.isEmpty()) {
            return new int[0];
        }
        int[] buckets = new int[(int) Math.max(0, (calls.get(calls.size() - 1).arrivalNanos() - from) / SECOND) + 1];
        for (Call c : calls) {
            if (c.arrivalNanos() >= from && (!acceptedOnly || c.status() == 200)) {
                buckets[(int) ((c.arrivalNanos() - from) / SECOND)]++;
            }
        }
        return buckets;
    }

    /**
     * Calls for a message that arrived before a Retry-After the upstream had sent for that message allowed: earlier
     * than a previous 429's answer instant plus {@link #RETRY_AFTER_SECONDS}.
     */
    public int earlyCalls() {
        Map<String, Long> allowedFrom = new HashMap<>();
        int early = 0;
        for (Call c : journal()) {
            Long allowed = allowedFrom.get(c.id());
            if (allowed != null && c.arrivalNanos() < allowed) {
                early++;
            }
            if (c.status() == 429) {
                allowedFrom.merge(c.id(), c.answeredNanos() + RETRY_AFTER_SECONDS * SECOND, Math::max);
            }
        }
        return early;
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }

    /** Tokens refill continuously at {@code rate} per second up to {@code burst}; one call takes one token. */
    private static final class TokenBucket {
        private double rate;
        private int burst;
        private double tokens;
        private long last;

        TokenBucket(double rate, int burst) {
            if (rate < 0 || burst < 1) {
                throw new IllegalArgumentException("rate must be >= 0 and burst >= 1");
            }
            this.rate = rate;
            this.burst = burst;
            this.tokens = burst;
            this.last = System.nanoTime();
        }

        synchronized boolean tryTake(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized void setRate(double newRate, long now) {
            if (newRate < 0) {
                throw new IllegalArgumentException("rate must be >= 0");
            }
            refill(now);
            rate = newRate;
        }

        synchronized void setBurst(int newBurst, long now) {
            if (newBurst < 1) {
                throw new IllegalArgumentException("burst must be >= 1");
            }
            refill(now);
            burst = newBurst;
            tokens = Math.min(tokens, burst);
        }

        synchronized void refillFully(long now) {
            last = now;
            tokens = burst;
        }

        synchronized double rate() {
            return rate;
        }

        synchronized int burst() {
            return burst;
        }

        private void refill(long now) {
            if (now > last) {
                tokens = Math.min(burst, tokens + rate * (now - last) / SECOND);
                last = now;
            }
        }
    }
}
