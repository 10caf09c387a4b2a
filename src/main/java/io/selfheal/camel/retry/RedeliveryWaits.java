package io.selfheal.camel.retry;

import io.selfheal.camel.Selfheal;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Selfheal error handler's view of Camel's redelivery scheduler that knows which redeliveries are still waiting
 * (backoff, Retry-After hold, open breaker: each is one delayed task, no thread). On shutdown {@link #endAll()} runs
 * every waiting redelivery at once instead of when its delay is over, and any scheduled later runs at once too, so
 * each waiting exchange reaches its error handler while the process can still park it. Everything else goes to the
 * shared scheduler unchanged; stopping this view does not stop the shared scheduler.
 */
final class RedeliveryWaits implements ScheduledExecutorService {
    private final ScheduledExecutorService scheduler;
    private final Set<Waiting> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean ended;

    RedeliveryWaits(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** The shared scheduler this view hands the tasks to. */
    ScheduledExecutorService shared() {
        return scheduler;
    }

    /** The redeliveries waiting now. */
    int size() {
        return waiting.size();
    }

    /** Ends every wait now and every later one at once; returns how many were waiting. */
    int endAll() {
        ended = true;
        int count = 0;
        for (Waiting w : waiting) {
            if (w.claim()) {
                w.cancelDelay();
                scheduler.execute(w.redelivery);
                count++;
            }
        }
        return count;
    }

    /** Waits are kept again (the handler started again after a stop). */
    void reset() {
        ended = false;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (ended) {
            return scheduler.schedule(command, 0, TimeUnit.MILLISECONDS);
        }
        Waiting w = new Waiting(command);
        waiting.add(w);
        ScheduledFuture<?> f = scheduler.schedule(w, delay, unit);
        w.delay = f;
        if (ended && w.claim()) {
            // the shutdown began between the check above and now: this one was not seen by endAll
            f.cancel(false);
            scheduler.execute(command);
        }
        return f;
    }

    /** A delayed redelivery: runs once, either when its delay is over or when the waits are ended. */
    private final class Waiting implements Runnable {
        private final Runnable redelivery;
        private final AtomicBoolean taken = new AtomicBoolean();
        private volatile ScheduledFuture<?> delay;

        Waiting(Runnable redelivery) {
            this.redelivery = redelivery;
        }

        boolean claim() {
            if (taken.compareAndSet(false, true)) {
                waiting.remove(this);
                return true;
            }
            return false;
        }

        void cancelDelay() {
            ScheduledFuture<?> f = delay;
            if (f != null) {
                f.cancel(false);
            }
        }

        @Override
        public void run() {
            if (claim()) {
                redelivery.run();
            }
        }
    }

    // the rest is the shared scheduler's, unchanged

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return scheduler.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return scheduler.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return scheduler.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    @Override
    public void shutdown() {
        // the shared scheduler belongs to the context
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return scheduler.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return scheduler.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return scheduler.awaitTermination(timeout, unit);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return scheduler.submit(task);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return scheduler.submit(task, result);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return scheduler.submit(task);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return scheduler.invokeAll(tasks);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        return scheduler.invokeAll(tasks, timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        return scheduler.invokeAny(tasks);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return scheduler.invokeAny(tasks, timeout, unit);
    }

    @Override
    public void execute(Runnable command) {
        scheduler.execute(command);
    }
}
