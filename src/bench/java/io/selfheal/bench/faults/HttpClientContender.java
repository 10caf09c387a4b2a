package io.selfheal.bench.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The library contenders: the run's number of worker threads, each POSTing one message at a time with
 * {@link java.net.http.HttpClient} (synchronous calls, the libraries' first documented way), wrapped in the
 * contender's policies.
 */
abstract class HttpClientContender implements FaultContender {
    private HttpClient client;
    private ExecutorService workers;
    private ExecutorService clientThreads;
    private Recorder recorder;
    private int port;
    private int workerCount;
    private final AtomicInteger failuresShown = new AtomicInteger();

    /** Delivers one message: true when the upstream accepted it. */
    abstract boolean deliver(int id) throws Exception;

    @Override
    public void start(int port, int workers, Recorder recorder) {
        this.port = port;
        this.workerCount = workers;
        this.recorder = recorder;
        AtomicInteger n = new AtomicInteger();
        // the client's own threads, so closing the contender ends them (HttpClient has no close before Java 21)
        this.clientThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name().replace(' ', '-') + "-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads)
                .connectTimeout(Duration.ofSeconds(2)).build();
        this.workers = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, name().replace(' ', '-') + "-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The worker threads of the current run, for the configuration line. */
    int workers() {
        return workerCount;
    }

    @Override
    public void submitAll(List<Integer> ids) {
        for (int id : ids) {
            workers.execute(() -> {
                recorder.pickedUp(id);
                boolean ok;
                try {
                    ok = deliver(id);
                } catch (Exception e) {
                    ok = false;
                    if (failuresShown.getAndIncrement() < 3) {
                        System.out.println("  " + name() + ": message " + id + " failed with " + e);
                    }
                }
                recorder.finish(id, ok);
            });
        }
    }

    /** One call; an I/O failure is thrown unchecked so the policies see it. */
    HttpResponse<String> call(int id) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/messages/" + id))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static boolean accepted(HttpResponse<?> r) {
        return r != null && r.statusCode() / 100 == 2;
    }

    /**
     * The Retry-After a response states, as a user of these libraries writes it for their delay functions: both forms
     * (delta-seconds, HTTP-date against our clock).
     */
    static Optional<Duration> retryAfter(HttpResponse<?> r) {
        if (r == null) {
            return Optional.empty();
        }
        return r.headers().firstValue("Retry-After").map(String::trim).flatMap(v -> {
            if (v.matches("\\d{1,9}")) {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
            }
            try {
                Duration d = Duration.between(Instant.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void close() throws Exception {
        if (workers != null) {
            workers.shutdownNow();
            workers.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (clientThreads != null) {
            clientThreads.shutdownNow();
        }
    }
}
