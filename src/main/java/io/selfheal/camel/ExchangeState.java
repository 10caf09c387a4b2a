package io.selfheal.camel;

import io.selfheal.breaker.SendSlot;
import io.selfheal.camel.breaker.GuardedCall;
import io.selfheal.classify.Classification;
import io.selfheal.retry.AttemptHistory;
import io.selfheal.retry.RetryDecision;
import io.selfheal.runs.RunTally;
import org.apache.camel.Exchange;

/**
 * Selfheal's own state on an exchange, read and written through typed accessors. The property names are private:
 * they are not part of the user contract, which is {@link SelfhealProperties}.
 */
public final class ExchangeState {
    /** The attempt history of the current call site. */
    private static final String HISTORY = "SelfhealAttemptHistory";
    /** Which call site the history belongs to (route and endpoint). */
    private static final String CALL_SITE = "SelfhealCallSite";
    /** Set before each redelivery, taken by the next call to an upstream, which is then a retry. */
    private static final String RETRY_PENDING = "SelfhealRetryPending";
    /** Set before each redelivery, taken by the error handler as the step runs again. */
    private static final String REDELIVERING = "SelfhealRedelivering";
    /** The decision for the last failure. */
    private static final String DECISION = "SelfhealDecision";
    /** The last failure's classification. */
    private static final String CLASSIFICATION = "SelfhealClassification";
    /** The upstream the last failure was charged to. */
    private static final String FAILED_UPSTREAM = "SelfhealUpstreamResolved";
    /** The last guarded call: its upstream, whether it reached it, its failure. */
    private static final String GUARDED_CALL = "SelfhealGuardedCall";
    /** The send slot the upstream's send rate booked for this exchange's next call. */
    private static final String SEND_SLOT = "SelfhealSendSlot";
    /** The counts of the job run this exchange belongs to (shared by reference with its split items). */
    private static final String RUN_TALLY = "SelfhealRunTally";

    private ExchangeState() {
    }

    /** The attempt history of the current call site, or null before its first failure. */
    public static AttemptHistory history(Exchange exchange) {
        return exchange.getProperty(HISTORY, AttemptHistory.class);
    }

    /** The history of {@code callSite}, or null when there is none or it belongs to another call site. */
    public static AttemptHistory historyAt(Exchange exchange, String callSite) {
        return callSite.equals(exchange.getProperty(CALL_SITE, String.class)) ? history(exchange) : null;
    }

    /** Records one failure's outcome: where it happened, the history so far, its classification and decision. */
    public static void recordFailure(Exchange exchange, String callSite, AttemptHistory history,
                                     Classification classification, RetryDecision decision, String upstream) {
        exchange.setProperty(CALL_SITE, callSite);
        exchange.setProperty(HISTORY, history);
        exchange.setProperty(CLASSIFICATION, classification);
        exchange.setProperty(DECISION, decision);
        exchange.setProperty(FAILED_UPSTREAM, upstream);
    }

    public static RetryDecision decision(Exchange exchange) {
        return exchange.getProperty(DECISION, RetryDecision.class);
    }

    public static void setDecision(Exchange exchange, RetryDecision decision) {
        exchange.setProperty(DECISION, decision);
    }

    public static Classification classification(Exchange exchange) {
        return exchange.getProperty(CLASSIFICATION, Classification.class);
    }

    /** The upstream the last failure was charged to. */
    public static String failedUpstream(Exchange exchange) {
        return exchange.getProperty(FAILED_UPSTREAM, String.class);
    }

    /** Marks the redelivery about to run: its next upstream call is a retry, and the error handler runs the step again. */
    public static void markRedelivery(Exchange exchange) {
        exchange.setProperty(RETRY_PENDING, Boolean.TRUE);
        exchange.setProperty(REDELIVERING, Boolean.TRUE);
    }

    /** Whether a redelivery was marked for the next upstream call; the mark is taken. */
    public static boolean takeRetryPending(Exchange exchange) {
        return Boolean.TRUE.equals(exchange.removeProperty(RETRY_PENDING));
    }

    /** Whether a redelivery was marked for the error handler; the mark is taken. */
    public static boolean takeRedelivering(Exchange exchange) {
        return exchange.removeProperty(REDELIVERING) != null;
    }

    public static GuardedCall guardedCall(Exchange exchange) {
        return exchange.getProperty(GUARDED_CALL, GuardedCall.class);
    }

    public static void setGuardedCall(Exchange exchange, GuardedCall call) {
        if (call == null) {
            exchange.removeProperty(GUARDED_CALL);
        } else {
            exchange.setProperty(GUARDED_CALL, call);
        }
    }

    public static SendSlot sendSlot(Exchange exchange) {
        return exchange.getProperty(SEND_SLOT, SendSlot.class);
    }

    public static void setSendSlot(Exchange exchange, SendSlot slot) {
        if (slot == null) {
            exchange.removeProperty(SEND_SLOT);
        } else {
            exchange.setProperty(SEND_SLOT, slot);
        }
    }

    /** The counts of the run this exchange belongs to, or null when it is not part of a job's run. */
    public static RunTally runTally(Exchange exchange) {
        return exchange.getProperty(RUN_TALLY, RunTally.class);
    }

    public static void setRunTally(Exchange exchange, RunTally tally) {
        exchange.setProperty(RUN_TALLY, tally);
    }
}
