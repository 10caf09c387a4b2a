package io.selfheal.escalation;

import io.selfheal.config.Durations;
import io.selfheal.classify.FailureClass;
import io.selfheal.json.Json;
import io.selfheal.retry.GiveUpReason;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything an on-call engineer needs about one exchange that Selfheal stopped retrying. Immutable; built once at
 * give-up and handed to the log, the alert sinks and the parked store. Text fields are already redacted.
 *
 * @param attempts calls made to the upstream (each one failed), the attempts counted against max-attempts
 * @param outcomes one short outcome per failed call, in order: "HTTP 500", "ConnectException", "SQLSTATE 40P01"
 * @param refusals attempts turned away before any call was made (the upstream's breaker was open, or a Retry-After
 *                 hold was on): waits, not counted in {@code attempts}
 */
public record GiveUp(
        FailureClass failureClass,
        GiveUpReason reason,
        int attempts,
        Duration elapsed,
        Instant firstFailureAt,
        Instant lastFailureAt,
        String upstream,
        String routeId,
        String exchangeId,
        String endpoint,
        String idempotencyKey,
        List<String> outcomes,
        String errorSample,
        int refusals) {

    public GiveUp {
        Objects.requireNonNull(failureClass, "failureClass");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(elapsed, "elapsed");
        outcomes = List.copyOf(outcomes == null ? List.of() : outcomes);
    }

    /** A give-up with no refused attempts. */
    public GiveUp(FailureClass failureClass, GiveUpReason reason, int attempts, Duration elapsed, Instant firstFailureAt,
                  Instant lastFailureAt, String upstream, String routeId, String exchangeId, String endpoint,
                  String idempotencyKey, List<String> outcomes, String errorSample) {
        this(failureClass, reason, attempts, elapsed, firstFailureAt, lastFailureAt, upstream, routeId, exchangeId,
                endpoint, idempotencyKey, outcomes, errorSample, 0);
    }

    /**
     * One line a person reads first, e.g. "tried 8 times over 4m12s, all attempts returned HTTP 500 from
     * inventory-service; gave up: max attempts reached [TRANSIENT, ATTEMPTS]" or "failed on the first attempt with
     * HTTP 400 from inventory-service; not retried: the failure is permanent [PERMANENT, PERMANENT]".
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        boolean named = upstream != null && !upstream.isBlank();
        if (attempts <= 0 && refusals > 0) {
            // no call was ever made: say so, rather than "failed on the first attempt"
            sb.append("never called ").append(named ? upstream : "the upstream").append(" in ")
                    .append(Durations.human(elapsed)).append(": turned away ").append(times(refusals))
                    .append(" by its circuit breaker or a Retry-After hold");
        } else {
            if (attempts <= 1) {
                sb.append("failed on the first attempt with ").append(outcomes.isEmpty()
                        ? (errorSample == null ? "an unknown error" : errorSample)
                        : outcomes.get(outcomes.size() - 1));
            } else {
                sb.append("tried ").append(attempts).append(" times over ").append(Durations.human(elapsed))
                        .append(", ").append(describeOutcomes());
            }
            if (named) {
                sb.append(" from ").append(upstream);
            }
            if (refusals > 0) {
                sb.append(", and was turned away ").append(times(refusals))
                        .append(" without a call (circuit breaker open or Retry-After hold)");
            }
        }
        sb.append("; ").append(explain(reason)).append(" [").append(failureClass).append(", ").append(reason).append(']');
        return sb.toString();
    }

    private static String times(int n) {
        return n == 1 ? "once" : n + " times";
    }

    /** Why retrying stopped, in words. */
    public static String explain(GiveUpReason reason) {
        return switch (reason) {
            case PERMANENT -> "not retried: the failure is permanent";
            case ATTEMPTS -> "gave up: max attempts reached";
            case DURATION -> "gave up: the next attempt would end past max duration";
            case RETRY_AFTER_BEYOND_CAP -> "gave up: Retry-After asked for a wait beyond retry-after-max";
            case BREAKER_OPEN -> "gave up: the circuit breaker is open";
            case BUDGET_EXHAUSTED -> "gave up: the retry budget is exhausted";
            case NOT_IDEMPOTENT -> "not retried: the request may have been sent and is not idempotent";
            case SHUTDOWN -> "not retried: shutting down while it waited for a retry (replayed on the next start)";
        };
    }

    /** "all attempts returned HTTP 500", or, when they differed, "5 attempts returned HTTP 503, 3 HTTP 500". */
    String describeOutcomes() {
        if (outcomes.isEmpty()) {
            return "the error was " + (errorSample == null ? "unknown" : errorSample);
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String o : outcomes) {
            counts.merge(o, 1, Integer::sum);
        }
        if (counts.size() == 1) {
            String only = outcomes.get(0);
            if (outcomes.size() == 1) {
                return verb(only) + " " + only;
            }
            return "all attempts " + verb(only) + " " + only;
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((o, n) -> parts.add(n + " × " + o));
        return "attempts differed: " + String.join(", ", parts) + " (last: " + outcomes.get(outcomes.size() - 1) + ")";
    }

    private static String verb(String outcome) {
        return outcome.startsWith("HTTP ") ? "returned" : "failed with";
    }

    /** The same facts as structured data, for JSON and alert labels; keys are stable. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("summary", summary());
        m.put("failureClass", failureClass.name());
        m.put("giveUpReason", reason.name());
        m.put("attempts", attempts);
        m.put("refusals", refusals);
        m.put("elapsedMillis", elapsed.toMillis());
        m.put("elapsed", Durations.human(elapsed));
        m.put("firstFailureAt", firstFailureAt == null ? null : firstFailureAt.toString());
        m.put("lastFailureAt", lastFailureAt == null ? null : lastFailureAt.toString());
        m.put("upstream", upstream);
        m.put("routeId", routeId);
        m.put("exchangeId", exchangeId);
        m.put("endpoint", endpoint);
        m.put("idempotencyKey", idempotencyKey);
        m.put("outcomes", outcomes);
        m.put("errorSample", errorSample);
        return m;
    }

    /** {@link #toMap()} as JSON. */
    public String toJson() {
        return Json.write(toMap());
    }
}
