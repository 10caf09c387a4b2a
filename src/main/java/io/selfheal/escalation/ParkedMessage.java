package io.selfheal.escalation;

import java.time.Instant;

/**
 * One row of the parked store. {@code body} is null in lists (they do not load bodies) and for a message that had
 * none; {@code bodySize} is always set. {@code routeId} is the route the message entered (a replay re-sends it there);
 * {@code failedRouteId} the route where the call gave up (the same, or one it called through direct:). Endpoints, summary and failure context were redacted before they were stored.
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
        String discardReason) {
}
