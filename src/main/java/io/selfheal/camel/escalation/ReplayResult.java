package io.selfheal.camel.escalation;

import io.selfheal.json.Json;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of replaying one parked message.
 *
 * @param newId  for REPARKED: the new record the failed replay was parked as
 * @param detail a short, redacted explanation for the outcomes other than REPLAYED
 */
public record ReplayResult(long id, Outcome outcome, Long newId, String detail) {
    public enum Outcome {
        /** Delivered: the record is REPLAYED. */
        REPLAYED,
        /** Failed again and parked again as {@code newId}; the record is REPARKED. */
        REPARKED,
        /** Failed without being parked again (no self-healing on the target, or parking failed): PARKED again. */
        FAILED,
        /** Not PARKED or REPLAY_REQUESTED (already replayed, discarded, or in flight). */
        NOT_REPLAYABLE,
        NOT_FOUND
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("outcome", outcome.name());
        m.put("newId", newId);
        m.put("detail", detail);
        return m;
    }

    public String toJson() {
        return Json.write(toMap());
    }

    @Override
    public String toString() {
        return "#" + id + " " + outcome + (newId == null ? "" : " as #" + newId) + (detail == null ? "" : ": " + detail);
    }
}
