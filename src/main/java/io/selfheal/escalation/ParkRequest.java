package io.selfheal.escalation;

import java.util.Objects;

/**
 * A given-up message to park: its body, whole; its headers as JSON (sensitive ones already redacted or dropped);
 * the route it entered (where a replay re-sends it) and the failing endpoint, redacted; the give-up record; and, for a replay that failed again, the record it was replayed from.
 */
public record ParkRequest(byte[] body, String headersJson, String routeId, String endpoint, String fromEndpoint,
                          GiveUp giveUp, Long replayedFrom) {
    public ParkRequest {
        Objects.requireNonNull(giveUp, "giveUp");
        headersJson = headersJson == null ? "{}" : headersJson;
    }
}
