package io.selfheal.breaker;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The retry budget of one upstream, shared by every route that calls it: a token bucket (after gRPC's retry
 * throttling and Finagle's RetryBudget). First attempts never ask it. A retry of a call that reached the upstream
 * takes one token, or is denied when less than one is left; every success puts {@code token-ratio} back, up to
 * {@code max-tokens}. The bucket starts full. Thread-safe.
 */
public final class RetryBudget {
    private final String upstream;
    private final BudgetSettings settings;
    /** In thousandths of a token: whole numbers, so ten successes at 0.1 make exactly one token. */
    private long milliTokens;
    private final long maxMilliTokens;
    private final long refillMilliTokens;
    private final AtomicLong granted = new AtomicLong();
    private final AtomicLong denied = new AtomicLong();

    public RetryBudget(String upstream, BudgetSettings settings) {
        this.upstream = Objects.requireNonNull(upstream);
        this.settings = Objects.requireNonNull(settings);
        this.maxMilliTokens = settings.maxTokens() * 1000L;
        this.refillMilliTokens = Math.max(1, Math.round(settings.tokenRatio() * 1000));
        this.milliTokens = maxMilliTokens;
    }

    public String upstream() {
        return upstream;
    }

    public BudgetSettings settings() {
        return settings;
    }

    /** Takes a token for one retry; false when the budget is spent (always true when budgets are off). */
    public boolean tryAcquireRetry() {
        if (!settings.enabled()) {
            return true;
        }
        synchronized (this) {
            if (milliTokens >= 1000) {
                milliTokens -= 1000;
                granted.incrementAndGet();
                return true;
            }
        }
        denied.incrementAndGet();
        return false;
    }

    /** A call to the upstream succeeded: refill by token-ratio. */
    public synchronized void onSuccess() {
        milliTokens = Math.min(maxMilliTokens, milliTokens + refillMilliTokens);
    }

    /**
     * The upstream's breaker closed after an outage: a probe showed it is back, and the breaker, not the budget, kept
     * the outage's load off it. Start full again, so the backlog's first flaky calls are not denied their retries
     * before its successes have refilled the bucket. (A total outage never closes the breaker: it still costs at most
     * max-tokens retries.)
     */
    public synchronized void refill() {
        milliTokens = maxMilliTokens;
    }

    public synchronized double tokens() {
        return milliTokens / 1000.0;
    }

    /** Retries this budget allowed since start. */
    public long granted() {
        return granted.get();
    }

    /** Retries this budget denied since start. */
    public long denied() {
        return denied.get();
    }
}
