package io.selfheal.escalation;

import io.selfheal.json.Json;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus Alertmanager, API v2: {@code POST /api/v2/alerts} with one alert whose labels are alertname
 * ({@value Alert#NAME}), upstream, route, reason and class (plus any configured static labels) and whose annotations
 * carry the summary, the count and every other field. A grouped alert has the same labels as the first one of its
 * group, so Alertmanager updates that alert (its count) rather than adding another.
 */
public final class AlertmanagerAlertSink implements AlertSink {
    private final URI alertsUri;
    private final URI base;
    private final Map<String, String> extraLabels;
    private final HttpPoster poster;

    public AlertmanagerAlertSink(URI baseUrl, Map<String, String> extraLabels, Duration timeout) {
        String b = baseUrl.toString().replaceAll("/+$", "");
        this.base = baseUrl;
        this.alertsUri = URI.create(b + "/api/v2/alerts");
        this.extraLabels = Map.copyOf(extraLabels);
        this.poster = new HttpPoster(timeout);
    }

    @Override
    public String name() {
        return "alertmanager";
    }

    @Override
    public String describe() {
        return "alertmanager " + HttpPoster.origin(base);
    }

    @Override
    public void send(Alert alert) throws Exception {
        poster.post(alertsUri, payload(alert), Map.of());
    }

    @Override
    public void send(RunAlert page) throws Exception {
        poster.post(alertsUri, payload(page), Map.of());
    }

    /**
     * A run's page as a v2 alert: labels alertname ({@value RunAlert#NAME}), job, outcome and run (each run is an
     * alert of its own; Alertmanager groups them by its route's group_by, as it groups give-ups), the sentence as its
     * summary, the runbook as {@code runbook_url}.
     */
    public String payload(RunAlert page) {
        Map<String, Object> labels = new LinkedHashMap<>(extraLabels);
        labels.put("alertname", RunAlert.NAME);
        labels.put("job", page.job());
        labels.put("outcome", page.outcome());
        labels.put("run", page.runId());
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put("summary", page.text());
        if (page.runbook() != null) {
            annotations.put("runbook_url", page.runbook());
        }
        page.toMap().forEach((k, v) -> {
            if (v != null && !k.equals("text") && !annotations.containsKey(k)) {
                annotations.put(k, String.valueOf(v));
            }
        });
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("labels", labels);
        a.put("annotations", annotations);
        return Json.write(List.of(a));
    }

    /** The v2 body: a JSON array with one postable alert. */
    public String payload(Alert alert) {
        GiveUp g = alert.latest();
        Map<String, Object> labels = new LinkedHashMap<>(extraLabels);
        labels.put("alertname", Alert.NAME);
        labels.put("upstream", alert.key().upstream());
        labels.put("route", g.routeId() == null ? "unknown" : g.routeId());
        labels.put("reason", alert.key().reason().name());
        labels.put("class", alert.key().failureClass().name());

        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put("summary", alert.text());
        annotations.put("description", g.summary());
        alert.toMap().forEach((k, v) -> {
            if (v != null && !k.equals("text") && !k.equals("summary")) {
                annotations.put(k, v instanceof List<?> list ? Json.write(list) : String.valueOf(v));
            }
        });

        Map<String, Object> a = new LinkedHashMap<>();
        a.put("labels", labels);
        a.put("annotations", annotations);
        a.put("startsAt", (alert.windowStart() != null ? alert.windowStart() : g.lastFailureAt() != null
                ? g.lastFailureAt() : java.time.Instant.now()).toString());
        return Json.write(List.of(a));
    }
}
