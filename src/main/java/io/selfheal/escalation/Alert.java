package io.selfheal.escalation;

import io.selfheal.classify.FailureClass;
import io.selfheal.json.Json;
import io.selfheal.retry.GiveUpReason;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a sink sends: one give-up, or a group of give-ups with the same upstream, class and reason within a window.
 * {@code latest} is the most recent give-up of the group; every field of it is in {@link #toMap()}.
 *
 * @param count       give-ups this alert stands for (1 for the first of a group, which is sent at once)
 * @param grouped     true for the alert sent at the end of a window, counting every give-up in it
 * @param windowStart when the group's window opened
 * @param windowEnd   when it closes (for a grouped alert: when it closed)
 * @param parkedId    the parked record of {@code latest}, or null when it could not be parked
 */
public record Alert(Key key, GiveUp latest, int count, boolean grouped, Instant windowStart, Instant windowEnd,
                    Long parkedId) {

    /** Give-ups with the same key are grouped. */
    public record Key(String upstream, FailureClass failureClass, GiveUpReason reason) {
        public static Key of(GiveUp g) {
            return new Key(g.upstream() == null ? "unknown" : g.upstream(), g.failureClass(), g.reason());
        }
    }

    public Alert {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(latest, "latest");
    }

    public static final String NAME = "SelfhealGaveUp";

    /** The one line a person sees in chat or a pager; secrets were redacted when the give-up was recorded. */
    public String text() {
        StringBuilder sb = new StringBuilder("[selfheal] ");
        if (grouped) {
            sb.append(count).append(count == 1 ? " give-up" : " give-ups").append(" for ").append(key.upstream())
                    .append(" (").append(key.failureClass()).append(", ").append(key.reason()).append(") between ")
                    .append(windowStart).append(" and ").append(windowEnd).append("; latest: route ")
                    .append(latest.routeId()).append(' ').append(latest.summary());
        } else {
            sb.append("route ").append(latest.routeId()).append(' ').append(latest.summary());
        }
        if (parkedId != null) {
            sb.append(" (parked as #").append(parkedId).append(")");
        } else {
            sb.append(" (NOT parked)");
        }
        return sb.toString();
    }

    /** The alert's facts as a flat map: its own (text, count, window, parked id) then every field of the give-up. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", text());
        m.put("alert", NAME);
        m.put("count", count);
        m.put("grouped", grouped);
        m.put("windowStart", windowStart == null ? null : windowStart.toString());
        m.put("windowEnd", windowEnd == null ? null : windowEnd.toString());
        m.put("parkedId", parkedId);
        m.putAll(latest.toMap());
        return m;
    }

    public String toJson() {
        return Json.write(toMap());
    }
}
