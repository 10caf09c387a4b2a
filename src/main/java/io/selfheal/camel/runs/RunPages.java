package io.selfheal.camel.runs;

import io.selfheal.escalation.AlertService;
import io.selfheal.escalation.RunAlert;
import io.selfheal.runs.JobRun;
import io.selfheal.runs.JobSettings;
import io.selfheal.runs.RunCounts;
import io.selfheal.runs.RunPage;
import io.selfheal.settings.SelfhealConfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One page per ended run that needs a human: the job's {@link io.selfheal.runs.RunPagePolicy} decides, {@link RunPage}
 * words it (with the job's runbook and time zone), and the alert sinks send it. The give-ups of the run's records
 * raise no alerts of their own (decision 22).
 */
final class RunPages implements Consumer<JobRun> {
    private final SelfhealConfig config;
    private final AlertService alerts;

    RunPages(SelfhealConfig config, AlertService alerts) {
        this.config = config;
        this.alerts = alerts;
    }

    @Override
    public void accept(JobRun run) {
        JobSettings job = config.jobFor(run.job());
        RunPage.of(run, job.pagePolicy(), job.timeZone(), job.runbook()).ifPresent(page -> {
            JobRuns.LOG.warn("run {} of job {} pages: {}", run.runId(), run.job(), page.text());
            alerts.page(new RunAlert(page.job(), page.runId(), page.outcome().name(), page.text(),
                    job.runbook().orElse(null), fields(run)));
        });
    }

    static Map<String, Object> fields(JobRun run) {
        RunCounts c = run.counts();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("instance", run.instanceId());
        f.put("triggerTime", run.triggerTime().toString());
        f.put("started", run.started().toString());
        run.ended().ifPresent(e -> f.put("ended", e.toString()));
        f.put("attempts", run.attempts());
        f.put("records", c.records());
        f.put("deliveredFirstTry", c.deliveredFirstTry());
        f.put("deliveredAfterRetries", c.deliveredAfterRetries());
        f.put("deliveredLater", c.deliveredLater());
        f.put("parked", c.parked());
        c.parkedByReason().forEach((reason, n) -> f.put("parked" + reason.name(), n));
        f.put("maxParkedAttempts", c.maxParkedAttempts());
        f.put("longestParkedMillis", c.longestParkedElapsed().toMillis());
        run.failure().ifPresent(why -> f.put("failure", why));
        return f;
    }
}
