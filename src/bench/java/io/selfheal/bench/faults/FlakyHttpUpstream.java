package io.selfheal.bench.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The upstream of the fault schedule: a JDK HTTP server on 127.0.0.1 answering {@code POST /messages/{id}} as the
 * {@link FaultSchedule} says, serving {@link FaultSchedule#CAPACITY} calls at once. It counts what the contenders
 * did to it: every call, the calls during the outage and the messages they were for, calls to a 400 beyond the
 * first, and calls earlier than a Retry-After it stated allowed (it records the earliest allowed instant per message
 * when it sends the 429).
 */
public final class FlakyHttpUpstream implements AutoCloseable {
    static {
        // TCP_NODELAY on accepted connections: the JDK server writes headers and body apart, and without it every
        // answer waits ~40 ms for a delayed ACK, which would make the upstream, not the contenders, the bottleneck
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final FaultSchedule schedule;
    private final HttpServer server;
    private final ExecutorService workers;

    private volatile long outageStart = Long.MAX_VALUE;
    private volatile long outageEnd = Long.MAX_VALUE;
    private AtomicIntegerArray answeredCalls;
    private AtomicLongArray earliestAllowed;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger outageCalls = new AtomicInteger();
    private final AtomicInteger earlyCalls = new AtomicInteger();
    private final AtomicInteger permanentRepeats = new AtomicInteger();
    private final AtomicLong firstSuccessAfterOutage = new AtomicLong();
    private final Set<Integer> outageMessages = ConcurrentHashMap.newKeySet();

    public FlakyHttpUpstream(FaultSchedule schedule) throws IOException {
        this.schedule = schedule;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(FaultSchedule.CAPACITY, r -> {
            Thread t = new Thread(r, "upstream-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(workers);
        server.createContext("/messages/", this::handle);
        server.start();
        reset(Long.MAX_VALUE);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Starts a contender's run: clears the counters and places the outage relative to {@code t0} (nanoTime). */
    public void reset(long t0) {
        answeredCalls = new AtomicIntegerArray(schedule.messages());
        earliestAllowed = new AtomicLongArray(schedule.messages());
        calls.set(0);
        outageCalls.set(0);
        earlyCalls.set(0);
        permanentRepeats.set(0);
        firstSuccessAfterOutage.set(0);
        outageMessages.clear();
        outageStart = t0 == Long.MAX_VALUE ? Long.MAX_VALUE : t0 + TimeUnit.MILLISECONDS.toNanos(FaultSchedule.PHASE_A_MS);
        outageEnd = t0 == Long.MAX_VALUE ? Long.MAX_VALUE : outageStart + TimeUnit.MILLISECONDS.toNanos(FaultSchedule.OUTAGE_MS);
    }

    public long outageEnd() {
        return outageEnd;
    }

    private void handle(HttpExchange ex) throws IOException {
        long now = System.nanoTime();
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
        int id;
        try {
            String path = ex.getRequestURI().getPath();
            id = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
            if (id < 0 || id >= schedule.messages()) {
                throw new NumberFormatException("out of range");
            }
        } catch (NumberFormatException e) {
            respond(ex, 404, null, "no such message");
            return;
        }
        calls.incrementAndGet();
        if (now >= outageStart && now < outageEnd) {
            outageCalls.incrementAndGet();
            outageMessages.add(id);
            respond(ex, 503, null, "outage");
            return;
        }
        long earliest = earliestAllowed.get(id);
        if (earliest != 0 && now < earliest) {
            earlyCalls.incrementAndGet();
        }
        int n = answeredCalls.getAndIncrement(id);
        sleep(FaultSchedule.SERVICE_MS);
        int status = schedule.status(id, n);
        switch (status) {
            case 400 -> {
                if (n > 0) {
                    permanentRepeats.incrementAndGet();
                }
                respond(ex, 400, null, "invalid message " + id);
            }
            case 429 -> {
                // recorded before the answer leaves, so no client can have read it earlier
                earliestAllowed.set(id, System.nanoTime() + TimeUnit.SECONDS.toNanos(FaultSchedule.RETRY_AFTER_SECONDS));
                respond(ex, 429, String.valueOf(FaultSchedule.RETRY_AFTER_SECONDS), "slow down");
            }
            case 503 -> respond(ex, 503, null, "busy");
            default -> {
                if (now >= outageEnd) {
                    firstSuccessAfterOutage.compareAndSet(0, now);
                }
                respond(ex, 200, null, "{\"id\":" + id + ",\"accepted\":true}");
            }
        }
    }

    private static void respond(HttpExchange ex, int status, String retryAfter, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (retryAfter != null) {
            ex.getResponseHeaders().set("Retry-After", retryAfter);
        }
        ex.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "text/plain");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public record Counts(int calls, int outageCalls, int outageMessages, int earlyCalls, int permanentRepeats,
                         long firstSuccessAfterOutageNanos) {
    }

    public Counts counts() {
        return new Counts(calls.get(), outageCalls.get(), outageMessages.size(), earlyCalls.get(), permanentRepeats.get(),
                firstSuccessAfterOutage.get());
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
