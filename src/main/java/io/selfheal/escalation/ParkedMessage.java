package io.selfheal.escalation;

import java.time.Instant;

/**
 * One row of the parked store. {@code body} and {@code headersJson} are what a replay sends: the message as the unit of
 * work that gave up began. {@code body} is null in lists (they do not load bodies) and for a message that had none;
 * {@code bodySize} is always set; {@code bodyType} is {@code java.lang.String} when the body was text (a replay then
 * sends it as text), else null. A replay re-enters {@code routeId} (the route whose step gave up: a sub-route
 * reached by direct:, a kamelet's route), at its start, or at {@code reentryStep} when the unit was a split item or a
 * multicast branch in it. {@code failedRouteId} is where the call gave up. For diagnosis only: {@code failureHeadersJson}
 * and {@code failureBody} (a redacted preview), the message when it gave up; null for records parked before they were
 * kept. Endpoints, summary and failure context were redacted before they were stored. {@code runId}: the job run the
 * message was parked from (a replay that delivers it moves that run's counts), or null.
 */
public record ParkedMessage(
        long id,
        ParkedStatus status,
        Instant parkedAt,
        Instant updatedAt,
        String routeId,
        String failedRouteId,
        String endpoint,
        String fromEndpoint,
        String upstream,
        String failureClass,
        String giveUpReason,
        int attempts,
        String summary,
        String exchangeId,
        String idempotencyKey,
        byte[] body,
        long bodySize,
        String headersJson,
        String failureContextJson,
        Long replayedFrom,
        Long reparkedAs,
        int replayCount,
        Instant replayRequestedAt,
        String replayRequestedBy,
        String replayTarget,
        Integer replayMaxAttempts,
        Long replayMaxDurationMillis,
        Instant replayedAt,
        String lastReplayError,
        Instant discardedAt,
        String discardedBy,
        String discardReason,
        String reentryStep,
        String failureHeadersJson,
        String failureBody,
        String bodyType,
        String runId) {
}
