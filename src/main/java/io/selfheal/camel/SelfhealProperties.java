package io.selfheal.camel;

/** Names of the exchange properties and headers Selfheal reads and sets: part of the user-facing contract. */
public final class SelfhealProperties {
    /** Set by the toolkit on every failed exchange: TRANSIENT, RECOVERABLE or PERMANENT. */
    public static final String FAILURE_CLASS = "SelfhealFailureClass";
    /** Set on give-up: one of {@link io.selfheal.retry.GiveUpReason}. */
    public static final String GIVE_UP_REASON = "SelfhealGiveUpReason";
    /** Calls made so far at the failing call site, the first one included. */
    public static final String ATTEMPTS = "SelfhealAttempts";
    /** Milliseconds since the first failure. */
    public static final String ELAPSED_MILLIS = "SelfhealElapsedMillis";
    /** Set by a route to name the upstream explicitly; otherwise derived from the endpoint. */
    public static final String UPSTREAM = "SelfhealUpstream";
    /** The give-up record ({@link io.selfheal.escalation.GiveUp}) handed to the escalation endpoint. */
    public static final String GIVE_UP = "SelfhealGiveUp";
    /**
     * On exchanges sent to the escalation endpoint: what they are, {@value #KIND_GIVE_UP} (a given-up exchange, with
     * {@link #GIVE_UP}) or {@value #KIND_BREAKER_OPEN} (an upstream's breaker opened, with {@link #BREAKER_TRANSITION}).
     */
    public static final String ESCALATION_KIND = "SelfhealEscalationKind";
    public static final String KIND_GIVE_UP = "GIVE_UP";
    public static final String KIND_BREAKER_OPEN = "BREAKER_OPEN";
    /** The {@link io.selfheal.breaker.BreakerTransition} of a breaker event on the escalation endpoint. */
    public static final String BREAKER_TRANSITION = "SelfhealBreakerTransition";
    /**
     * Set by the resilient-http template: the expression (simple language) the Idempotency-Key is computed from, when
     * the template was given one. The idempotency support reads it.
     */
    public static final String IDEMPOTENCY_KEY_FROM = "SelfhealIdempotencyKeyFrom";
    /** Set by the resilient-http template: "true" when the call is idempotent and may be retried after being sent. */
    public static final String IDEMPOTENT = "SelfhealIdempotent";
    /** Outgoing header on mutating requests; the same on every retry of one message. */
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

    /** Internal: the attempt history of the current call site. */
    static final String HISTORY = "SelfhealAttemptHistory";
    /** Internal: which call site the history belongs to (route and endpoint). */
    static final String CALL_SITE = "SelfhealCallSite";
    /** Internal: the decision for the last failure. */
    static final String DECISION = "SelfhealDecision";
    /** Internal: the last classification. */
    static final String CLASSIFICATION = "SelfhealClassification";
    /** Internal: the last guarded call's upstream and whether it reached it ({@link GuardedCall}). */
    static final String GUARDED_CALL = "SelfhealGuardedCall";

    private SelfhealProperties() {
    }
}
