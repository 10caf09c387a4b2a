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
    /** Outgoing header on mutating requests: one key per message and call site, the same on every retry of it. */
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
    /**
     * Set by a route to give the business key (an order id, say) that the {@value #IDEMPOTENCY_KEY_HEADER} of each
     * call is made from ({@code <business key>:<call-site tag>}); without it the message key is derived from the
     * message as it entered the route.
     */
    public static final String IDEMPOTENCY_KEY = "SelfhealIdempotencyKey";
    /**
     * Set to false by a route (or a template's {@code idempotent} parameter) whose calls must not run twice: only
     * failures where the request was provably never sent are retried; others give up with NOT_IDEMPOTENT.
     */
    public static final String IDEMPOTENT = "SelfhealIdempotent";
    /** Set by the idempotent sink: true when the row was there already (counted, not failed). */
    public static final String DUPLICATE = "SelfhealDuplicate";
    /**
     * Set on each exchange a job's schedule starts (and so on its split items): the id of its run in the run store
     * ({@code io.selfheal.runs.RunStore}), which its parked records keep.
     */
    public static final String RUN_ID = "SelfhealRunId";

    private SelfhealProperties() {
    }
}
