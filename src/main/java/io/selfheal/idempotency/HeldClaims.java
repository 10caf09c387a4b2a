package io.selfheal.idempotency;

import io.selfheal.threads.ThreadSource;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The claims one key store took and has not confirmed or removed, and the thread that renews them: what renewing and
 * closing the store touch. The thread starts with the first claim, so a store that never claims runs none.
 */
final class HeldClaims {
    /** A claim's row by its primary key (the stored key). */
    record Claim(String scope, String key) {
    }

    private final Set<Claim> claims = ConcurrentHashMap.newKeySet();
    private final String threadName;
    private final ThreadSource threads;
    private final long periodMillis;
    private final Runnable renew;
    private ScheduledExecutorService renewer;

    /**
     * {@code renew} runs every {@code periodMillis} once a claim is held, until {@link #stopRenewing}, on a thread
     * named {@code threadName} from {@code threads}.
     */
    HeldClaims(String threadName, ThreadSource threads, long periodMillis, Runnable renew) {
        this.threadName = threadName;
        this.threads = threads;
        this.periodMillis = Math.max(1, periodMillis);
        this.renew = renew;
    }

    void hold(String scope, String key) {
        claims.add(new Claim(scope, key));
        startRenewing();
    }

    void release(String scope, String key) {
        claims.remove(new Claim(scope, key));
    }

    void release(Claim claim) {
        claims.remove(claim);
    }

    void releaseScope(String scope) {
        claims.removeIf(c -> c.scope().equals(scope));
    }

    List<Claim> snapshot() {
        return List.copyOf(claims);
    }

    void clear() {
        claims.clear();
    }

    private synchronized void startRenewing() {
        if (renewer != null) {
            return;
        }
        renewer = Executors.newSingleThreadScheduledExecutor(threads.named(threadName));
        renewer.scheduleWithFixedDelay(renew, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Stops the thread; false when none ran (nothing was claimed since the last stop). A later claim starts it anew. */
    synchronized boolean stopRenewing() {
        if (renewer == null) {
            return false;
        }
        renewer.shutdownNow();
        renewer = null;
        return true;
    }
}
