package io.selfheal.retry;

/** Where the wait before the next attempt came from; logged and used as a metric tag. */
public enum DelaySource {
    BACKOFF("backoff"),
    RETRY_AFTER("retry-after"),
    BREAKER("breaker"),
    /** Queued for a slot of the upstream's adaptive send rate. */
    SEND_RATE("send-rate");

    private final String label;

    DelaySource(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
