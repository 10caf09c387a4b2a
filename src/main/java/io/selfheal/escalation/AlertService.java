package io.selfheal.escalation;

import io.selfheal.config.Durations;
import io.selfheal.threads.ThreadSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends give-up alerts without ever holding up or failing the pipeline. {@link #giveUp} only groups and enqueues:
 * each sink has its own thread and bounded queue (a full queue drops the alert and says so in the log), and its own
 * small bounded retry with doubling delays; a sink that stays down is logged, never thrown. A ticker sends the
 * grouped alerts when their windows end, and {@link #close} sends what is still pending. Its threads (the ticker and one
 * per sink) come from a {@link ThreadSource}: daemon threads of their own names unless one is given.
 */
public final class AlertService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.selfheal.alert");

    private final AlertSettings config;
    private final Clock clock;
    private final AlertGrouper grouper;
    private final ThreadSource threads;
    private final List<SinkWorker> workers = new ArrayList<>();
    private final ScheduledExecutorService ticker;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();

    public AlertService(AlertSettings config, List<AlertSink> sinks, Clock clock) {
        this(config, sinks, clock, ThreadSource.daemons());
    }

    public AlertService(AlertSettings config, List<AlertSink> sinks, Clock clock, ThreadSource threads) {
        this.config = config;
        this.clock = clock;
        this.grouper = new AlertGrouper(config.groupWindow());
        this.threads = threads;
        for (AlertSink s : sinks) {
            workers.add(new SinkWorker(s));
        }
        this.ticker = Executors.newSingleThreadScheduledExecutor(threads.named("selfheal-alert-groups"));
        long tick = grouper.tick().toMillis();
        ticker.scheduleWithFixedDelay(this::flushDue, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** The sinks named in {@code selfheal.alert.sinks}, on daemon threads of their own. */
    public static AlertService create(AlertSettings config, Clock clock) {
        return create(config, clock, ThreadSource.daemons());
    }

    /** The sinks named in {@code selfheal.alert.sinks}, on threads from {@code threads}. */
    public static AlertService create(AlertSettings config, Clock clock, ThreadSource threads) {
        List<AlertSink> sinks = new ArrayList<>();
        for (String name : config.sinks()) {
            switch (name) {
                case "log" -> sinks.add(new LogAlertSink());
                case "webhook" -> sinks.add(new WebhookAlertSink(config.webhookUrl(), config.webhookHeaders(), config.timeout()));
                case "alertmanager" -> sinks.add(new AlertmanagerAlertSink(config.alertmanagerUrl(),
                        config.alertmanagerLabels(), config.timeout()));
                default -> throw new IllegalStateException("unknown sink " + name);
            }
        }
        return new AlertService(config, sinks, clock, threads);
    }

    /** Records a give-up; sends an alert now when it opens a group. Never blocks, never throws. */
    public void giveUp(GiveUp giveUp, Long parkedId) {
        try {
            grouper.add(giveUp, parkedId, clock.instant()).forEach(this::dispatch);
        } catch (RuntimeException e) {
            LOG.error("could not raise the alert for a give-up ({}): {}", giveUp.summary(), e.toString());
        }
    }

    /**
     * Sends the page of a run that needs a human, at once, on every sink: a run's page is already the group of its
     * records' give-ups (decision 22). Never blocks, never throws.
     */
    public void page(RunAlert page) {
        try {
            for (SinkWorker w : workers) {
                w.offer(page);
            }
        } catch (RuntimeException e) {
            LOG.error("could not send the page of run {} ({}): {}", page.runId(), page.text(), e.toString());
        }
    }

    /** Sends the grouped alerts of the windows that have ended; the ticker calls it. */
    public void flushDue() {
        try {
            grouper.due(clock.instant()).forEach(this::dispatch);
        } catch (RuntimeException e) {
            LOG.error("could not flush grouped alerts: {}", e.toString());
        }
    }

    private void dispatch(Alert alert) {
        for (SinkWorker w : workers) {
            w.offer(alert);
        }
    }

    /** Alerts dropped because a sink's queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Alerts a sink could not deliver after its retries. */
    public long failed() {
        return failed.get();
    }

    /** Sends that succeeded, over all sinks. */
    public long delivered() {
        return delivered.get();
    }

    /** Sends the pending grouped alerts, then gives the sinks up to one send timeout per queued alert, bounded. */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            grouper.drain(clock.instant()).forEach(this::dispatch);
        } catch (RuntimeException e) {
            LOG.error("could not flush grouped alerts on shutdown: {}", e.toString());
        }
        for (SinkWorker w : workers) {
            w.executor.shutdown();
        }
        long deadline = System.nanoTime() + config.timeout().multipliedBy(2).toNanos();
        for (SinkWorker w : workers) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !w.executor.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    List<Runnable> lost = w.executor.shutdownNow();
                    if (!lost.isEmpty()) {
                        LOG.warn("alert sink {}: {} alert(s) not sent before shutdown", w.sink.describe(), lost.size());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                w.executor.shutdownNow();
            }
        }
    }

    /** One send of an alert or a run's page to a sink. */
    @FunctionalInterface
    private interface Delivery {
        void to(AlertSink sink) throws Exception;
    }

    /** One sink's thread and bounded queue. */
    private final class SinkWorker {
        final AlertSink sink;
        final ThreadPoolExecutor executor;

        SinkWorker(AlertSink sink) {
            this.sink = sink;
            this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(config.queueCapacity()), threads.named("selfheal-alert-" + sink.name()),
                    (r, ex) -> {
                        throw new RejectedExecutionException();
                    });
        }

        void offer(Alert alert) {
            offer(alert.text(), sink -> sink.send(alert));
        }

        void offer(RunAlert page) {
            offer(page.text(), sink -> sink.send(page));
        }

        private void offer(String text, Delivery delivery) {
            try {
                executor.execute(() -> sendWithRetry(text, delivery));
            } catch (RejectedExecutionException e) {
                long n = dropped.incrementAndGet();
                LOG.error("alert sink {} is backed up ({} queued): alert dropped ({} dropped so far): {}",
                        sink.describe(), config.queueCapacity(), n, text);
            }
        }

        void sendWithRetry(String text, Delivery delivery) {
            Duration delay = config.retryDelay();
            for (int attempt = 1; ; attempt++) {
                try {
                    delivery.to(sink);
                    delivered.incrementAndGet();
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed.incrementAndGet();
                    LOG.error("alert sink {} interrupted, alert not delivered: {}", sink.describe(), text);
                    return;
                } catch (Exception e) {
                    String why = e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + Redactor.defaults().text(e.getMessage()));
                    if (attempt >= config.retryMaxAttempts()) {
                        failed.incrementAndGet();
                        LOG.error("alert sink {} failed {} time(s), alert not delivered ({}): {}", sink.describe(),
                                attempt, why, text);
                        return;
                    }
                    LOG.warn("alert sink {} failed (attempt {}/{}: {}); retrying in {}", sink.describe(), attempt,
                            config.retryMaxAttempts(), why, Durations.human(delay));
                    try {
                        Thread.sleep(delay.toMillis());
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        failed.incrementAndGet();
                        return;
                    }
                    delay = delay.multipliedBy(2);
                }
            }
        }
    }
}
