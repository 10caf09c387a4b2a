package io.selfheal.escalation;

import io.selfheal.json.Json;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A run's page as each sink sends it: its sentence first, the run's facts beside it, Alertmanager labels by job. */
class RunAlertTest {
    private final RunAlert page = new RunAlert("inventory-sync", "run-7", "PARTIAL",
            "Job inventory-sync, run of 02:00: 3 of 5,000 records parked", "https://runbooks.example/inventory-sync",
            Map.of("records", 5000L, "parked", 3L));

    @Test
    void itsMapLeadsWithTheSentenceAndCarriesTheRunsFacts() {
        Map<String, Object> m = page.toMap();
        assertThat(m.keySet()).startsWith("text", "alert", "job", "runId", "outcome", "runbook");
        assertThat(m).containsEntry("text", "[selfheal] Job inventory-sync, run of 02:00: 3 of 5,000 records parked")
                .containsEntry("alert", RunAlert.NAME).containsEntry("records", 5000L).containsEntry("parked", 3L);
    }

    @Test
    void alertmanagerGetsOneAlertLabelledByJobOutcomeAndRunWithTheRunbook() {
        AlertmanagerAlertSink sink = new AlertmanagerAlertSink(URI.create("http://127.0.0.1:9093"),
                Map.of("team", "batch"), Duration.ofSeconds(1));
        String body = sink.payload(page);
        assertThat(body).startsWith("[").endsWith("]");
        Map<String, Object> alert = Json.readObject(body.substring(1, body.length() - 1));
        assertThat(map(alert.get("labels"))).containsEntry("alertname", "SelfhealJobRun")
                .containsEntry("job", "inventory-sync").containsEntry("outcome", "PARTIAL")
                .containsEntry("run", "run-7").containsEntry("team", "batch");
        assertThat(map(alert.get("annotations")))
                .containsEntry("summary", "Job inventory-sync, run of 02:00: 3 of 5,000 records parked")
                .containsEntry("runbook_url", "https://runbooks.example/inventory-sync")
                .containsEntry("records", "5000");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}
