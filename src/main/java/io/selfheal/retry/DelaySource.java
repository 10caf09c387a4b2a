package io.selfheal.retry;

/** Where the wait before the next attempt came from; logged and used as a metric tag. */
public enum DelaySource {
    BACKOFF("backoff"),
    RETRY_AFTER("retry-after"),
    BREAKER("breaker");

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
