package io.selfheal.camel.escalation;

import io.selfheal.escalation.ParkedHeaders;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.Redactor;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What people see of parked messages, on the command line and over HTTP. Everything goes through the redactor:
 * header values, endpoints, the body preview; sensitive headers show as {@value Redactor#MASK}. The stored body is
 * never cut; only its preview here is.
 */
public final class ParkedViews {
    static final int BODY_PREVIEW_CHARS = 2000;

    private ParkedViews() {
    }

    public static String table(List<ParkedMessage> rows) {
        StringBuilder sb = new StringBuilder(String.format("%-6s %-16s %-24s %-20s %-20s %-22s %-8s %s%n", "ID", "STATUS",
                "PARKED AT", "ROUTE", "UPSTREAM", "REASON", "ATTEMPTS", "SUMMARY"));
        for (ParkedMessage m : rows) {
            sb.append(String.format("%-6d %-16s %-24s %-20s %-20s %-22s %-8d %s%n", m.id(), m.status(), m.parkedAt(),
                    m.routeId(), m.upstream(), m.giveUpReason(), m.attempts(), m.summary()));
        }
        if (rows.isEmpty()) {
            sb.append("(no parked messages)").append(System.lineSeparator());
        }
        return sb.toString();
    }

    public static String show(ParkedMessage m, Redactor redactor) {
        StringBuilder sb = new StringBuilder();
        line(sb, "id", "#" + m.id());
        line(sb, "status", m.status().name());
        line(sb, "parked at", m.parkedAt());
        line(sb, "updated at", m.updatedAt());
        line(sb, "route", m.routeId());
        line(sb, "replays into", reentry(m, redactor));
        line(sb, "upstream", m.upstream());
        line(sb, "class / reason", m.failureClass() + " / " + m.giveUpReason());
        line(sb, "attempts", m.attempts());
        line(sb, "summary", redactor.text(m.summary()));
        line(sb, "exchange", m.exchangeId());
        line(sb, "idempotency key", m.idempotencyKey());
        if (m.runId() != null) {
            line(sb, "job run", m.runId());
        }
        if (m.replayedFrom() != null) {
            line(sb, "replayed from", "#" + m.replayedFrom() + " (this is a replay that failed again)");
        }
        if (m.reparkedAs() != null) {
            line(sb, "reparked as", "#" + m.reparkedAs());
        }
        line(sb, "replays", m.replayCount() + (m.replayedAt() != null ? ", last at " + m.replayedAt() : ""));
        if (m.replayRequestedAt() != null) {
            line(sb, "replay requested", m.replayRequestedAt() + " by " + m.replayRequestedBy()
                    + (m.replayTarget() != null ? " to " + redactor.url(m.replayTarget()) : "")
                    + (m.replayMaxAttempts() != null ? " max-attempts=" + m.replayMaxAttempts() : "")
                    + (m.replayMaxDurationMillis() != null ? " max-duration=" + m.replayMaxDurationMillis() + "ms" : ""));
        }
        if (m.lastReplayError() != null) {
            line(sb, "last replay error", redactor.text(m.lastReplayError()));
        }
        if (m.discardedAt() != null) {
            line(sb, "discarded", m.discardedAt() + " by " + m.discardedBy() + ": " + redactor.text(m.discardReason()));
        }
        String nl = System.lineSeparator();
        sb.append(nl).append("REPLAY INPUT: the message as its unit of work began; a replay sends this").append(nl);
        sb.append("headers:").append(nl);
        headers(m, redactor).forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append(nl));
        sb.append("body (").append(m.bodySize()).append(" bytes):").append(nl);
        sb.append(bodyPreview(m, redactor)).append(nl);
        sb.append(nl).append("AT FAILURE: for diagnosis, never replayed").append(nl);
        line(sb, "gave up in", "route " + (m.failedRouteId() != null ? m.failedRouteId() : m.routeId()));
        line(sb, "endpoint", redactor.url(m.endpoint()));
        if (m.failureHeadersJson() != null) {
            sb.append("headers:").append(nl);
            failureHeaders(m, redactor).forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append(nl));
            sb.append("body:").append(nl).append(m.failureBody() == null || m.failureBody().isEmpty() ? "(no body)"
                    : redactor.text(m.failureBody())).append(nl);
        }
        sb.append("failure context: ").append(redactor.text(m.failureContextJson())).append(nl);
        return sb.toString();
    }

    /** Where a replay re-enters: a route's start (its consumer's endpoint), or a split item's or branch's steps. */
    static String reentry(ParkedMessage m, Redactor redactor) {
        if (m.reentryStep() == null) {
            return "route " + m.routeId() + " at its start" + (m.fromEndpoint() == null ? ""
                    : " (" + redactor.url(m.fromEndpoint()) + ")");
        }
        String step = m.reentryStep();
        int hash = step.indexOf('#');
        return "route " + m.routeId() + ", the steps of " + (hash < 0 ? "one item of step " + step
                : "branch " + step.substring(hash + 1) + " of step " + step.substring(0, hash));
    }

    static Map<String, Object> summaryMap(ParkedMessage m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", m.id());
        out.put("status", m.status().name());
        out.put("parkedAt", str(m.parkedAt()));
        out.put("updatedAt", str(m.updatedAt()));
        out.put("routeId", m.routeId());
        out.put("upstream", m.upstream());
        out.put("failureClass", m.failureClass());
        out.put("giveUpReason", m.giveUpReason());
        out.put("attempts", m.attempts());
        out.put("summary", m.summary());
        out.put("idempotencyKey", m.idempotencyKey());
        out.put("bodySize", m.bodySize());
        out.put("replayedFrom", m.replayedFrom());
        out.put("reparkedAs", m.reparkedAs());
        return out;
    }

    static Map<String, Object> detailMap(ParkedMessage m, Redactor redactor) {
        Map<String, Object> out = summaryMap(m);
        out.put("summary", redactor.text(m.summary()));
        out.put("failedRouteId", m.failedRouteId());
        out.put("fromEndpoint", redactor.url(m.fromEndpoint()));
        out.put("endpoint", redactor.url(m.endpoint()));
        out.put("exchangeId", m.exchangeId());
        out.put("runId", m.runId());
        out.put("replayCount", m.replayCount());
        out.put("replayedAt", str(m.replayedAt()));
        out.put("replayRequestedAt", str(m.replayRequestedAt()));
        out.put("replayRequestedBy", m.replayRequestedBy());
        out.put("replayTarget", redactor.url(m.replayTarget()));
        out.put("lastReplayError", redactor.text(m.lastReplayError()));
        out.put("discardedAt", str(m.discardedAt()));
        out.put("discardedBy", m.discardedBy());
        out.put("discardReason", redactor.text(m.discardReason()));
        // what a replay sends and where it re-enters
        out.put("reentryStep", m.reentryStep());
        out.put("replaysInto", reentry(m, redactor));
        out.put("headers", headers(m, redactor));
        out.put("bodyPreview", bodyPreview(m, redactor));
        // the message when it gave up, for diagnosis only
        Map<String, Object> atFailure = new LinkedHashMap<>();
        atFailure.put("routeId", m.failedRouteId());
        atFailure.put("endpoint", redactor.url(m.endpoint()));
        atFailure.put("headers", m.failureHeadersJson() == null ? null : failureHeaders(m, redactor));
        atFailure.put("bodyPreview", m.failureBody() == null ? null : redactor.text(m.failureBody()));
        out.put("atFailure", atFailure);
        out.put("failureContext", redactor.text(m.failureContextJson()));
        return out;
    }

    private static Map<String, String> headers(ParkedMessage m, Redactor redactor) {
        try {
            return redactor.headers(ParkedHeaders.decode(m.headersJson()));
        } catch (IllegalArgumentException e) {
            return Map.of("(unreadable)", e.getMessage());
        }
    }

    private static Map<String, String> failureHeaders(ParkedMessage m, Redactor redactor) {
        try {
            return redactor.headers(ParkedHeaders.decode(m.failureHeadersJson()));
        } catch (IllegalArgumentException e) {
            return Map.of("(unreadable)", e.getMessage());
        }
    }

    /** The body as text when it is UTF-8, redacted and cut for the view; otherwise only its size. */
    static String bodyPreview(ParkedMessage m, Redactor redactor) {
        if (m.body() == null) {
            return m.bodySize() == 0 ? "(no body)" : "(not loaded)";
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(m.body())).toString();
        } catch (CharacterCodingException e) {
            return "(binary, " + m.body().length + " bytes)";
        }
        return redactor.sample(text, BODY_PREVIEW_CHARS);
    }

    private static void line(StringBuilder sb, String name, Object value) {
        sb.append(String.format("%-18s %s%n", name, value == null ? "-" : value));
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
