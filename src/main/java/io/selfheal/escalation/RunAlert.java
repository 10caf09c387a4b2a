package io.selfheal.escalation;

import io.selfheal.json.Json;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The page of one run of a scheduled job that needs a human (a PARTIAL, FAILED or ABANDONED run its job's policy
 * pages), as the alert sinks send it: {@code text} is the one sentence a person reads ("Job inventory-sync, run of
 * 02:00: 3 of 5,000 records parked after retrying 8 times over 4m12s; all attempts returned 500 from
 * inventory-service (runbook: ...)"), {@code fields} the run's facts (counts, trigger time) for a machine.
 *
 * @param runbook the job's runbook URL, or null
 */
public record RunAlert(String job, String runId, String outcome, String text, String runbook,
                       Map<String, Object> fields) {
    public static final String NAME = "SelfhealJobRun";

    public RunAlert {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(text, "text");
        fields = Map.copyOf(fields == null ? Map.of() : fields);
    }

    /** The page's facts as a flat map: text, alert name, job, run, outcome, runbook, then the run's fields. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", "[selfheal] " + text);
        m.put("alert", NAME);
        m.put("job", job);
        m.put("runId", runId);
        m.put("outcome", outcome);
        m.put("runbook", runbook);
        new java.util.TreeMap<>(fields).forEach(m::putIfAbsent);
        return m;
    }

    public String toJson() {
        return Json.write(toMap());
    }
}
