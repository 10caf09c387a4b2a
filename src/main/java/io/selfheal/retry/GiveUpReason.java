package io.selfheal.retry;

/** Why retrying an exchange is over. Exactly one is recorded per give-up. */
public enum GiveUpReason {
    /** The failure was classified PERMANENT: no retry can fix it. */
    PERMANENT,
    /** max-attempts calls were made. */
    ATTEMPTS,
    /** The next attempt would have started after max-duration since the first failure. */
    DURATION,
    /** The upstream asked for a wait (Retry-After) longer than retry-after-max. */
    RETRY_AFTER_BEYOND_CAP,
    /** The upstream's circuit breaker stayed open past the attempt or duration bounds. */
    BREAKER_OPEN,
    /** The upstream's retry budget had no token left for a retry. */
    BUDGET_EXHAUSTED,
    /** The operation is not idempotent and the request may have been sent. */
    NOT_IDEMPOTENT,
    /**
     * The process was shutting down while the exchange waited for a retry (backoff, Retry-After hold, open breaker) or
     * was about to wait for one: it is parked instead, and replayed when the process starts again.
     */
    SHUTDOWN
}
