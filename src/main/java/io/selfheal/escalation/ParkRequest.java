package io.selfheal.escalation;

import java.util.Objects;

/**
 * A given-up message to park. What a replay sends: its body, whole (with {@code bodyType}, the Java type it had when
 * that is text, {@code java.lang.String}, so a replay gives the route text again; else null), and its headers as JSON (sensitive ones already
 * redacted or dropped), both as the unit of work that gave up began; where it re-enters: {@code routeId}, and within
 * it {@code reentryStep} when the unit is a split item or multicast branch ({@code split1}, {@code multicast2#1}),
 * else null (the route's start). For diagnosis only, never replayed: the failing endpoint, redacted, the give-up record,
 * and the headers and a redacted preview of the body as they were when it gave up. For a replay that failed again,
 * the record it was replayed from. {@code runId}: the job run the message belongs to, or null.
 */
public record ParkRequest(byte[] body, String bodyType, String headersJson, String routeId, String reentryStep, String endpoint,
                          String fromEndpoint, GiveUp giveUp, Long replayedFrom, String failureHeadersJson,
                          String failureBody, String runId) {
    public ParkRequest {
        Objects.requireNonNull(giveUp, "giveUp");
        headersJson = headersJson == null ? "{}" : headersJson;
    }

    /** A message of no job run. */
    public ParkRequest(byte[] body, String bodyType, String headersJson, String routeId, String reentryStep,
                       String endpoint, String fromEndpoint, GiveUp giveUp, Long replayedFrom,
                       String failureHeadersJson, String failureBody) {
        this(body, bodyType, headersJson, routeId, reentryStep, endpoint, fromEndpoint, giveUp, replayedFrom,
                failureHeadersJson, failureBody, null);
    }

    /** A message that re-enters at its route's start, without failure-time headers or body. */
    public ParkRequest(byte[] body, String headersJson, String routeId, String endpoint, String fromEndpoint,
                       GiveUp giveUp, Long replayedFrom) {
        this(body, null, headersJson, routeId, null, endpoint, fromEndpoint, giveUp, replayedFrom, null, null, null);
    }
}
