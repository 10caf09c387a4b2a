package io.selfheal.demo;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.camel.runs.JobRuns;
import io.selfheal.runs.JobHealth;
import io.selfheal.runs.JobRun;
import io.selfheal.runs.RunCounts;
import io.selfheal.runs.RunOutcome;
import io.selfheal.runs.RunPagePolicy;
import io.selfheal.runs.UpstreamRunCounts;
import io.selfheal.runs.WindowStats;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.component.timer.TimerEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DEMO ONLY: prints each run's summary from its run record, and after the last firing of the timer the job's
 * history. Called as the run's last step; the run's record ends once its exchange is done, so the summary waits for
 * that on a thread of its own.
 */
public final class DemoSummary implements CamelContextAware {
    private static final Logger LOG = LoggerFactory.getLogger("io.selfheal.demo.summary");
    /** How long a summary waits for its run record to end. */
    private static final Duration RECORD_WAIT = Duration.ofSeconds(30);

    private final AtomicInteger printed = new AtomicInteger();
    private CamelContext camelContext;
    private ExecutorService printer;

    /** The run's last step: its summary (and after the last run, the history) follows once its record has ended. */
    public void runDone(Exchange exchange) {
        String runId = exchange.getProperty(SelfhealProperties.RUN_ID, String.class);
        int run = exchange.getProperty("demoRun", 1, Integer.class); // the timer's counter, kept by the route
        long runs = exchange.getFromEndpoint() instanceof TimerEndpoint timer && timer.getRepeatCount() > 0
                ? timer.getRepeatCount() : run;
        String job = exchange.getFromRouteId();
        if (runId == null) {
            LOG.warn("demo: run {} of job {} is not recorded (see the log above)", run, job);
            return;
        }
        printer().submit(() -> {
            Optional<JobRun> ended = endedRun(runId);
            ended.ifPresentOrElse(r -> LOG.info(runSummary(r, run, runs)),
                    () -> LOG.warn("demo: run {} has not ended within {}", runId, RECORD_WAIT));
            if (run >= runs) {
                LOG.info(history(job));
            }
            printed.incrementAndGet();
        });
    }

    /** How many run summaries have been printed (or given up waiting for). */
    public int printed() {
        return printed.get();
    }

    private Optional<JobRun> endedRun(String runId) {
        Instant until = Instant.now().plus(RECORD_WAIT);
        try {
            while (Instant.now().isBefore(until)) {
                Optional<JobRun> r = JobRuns.of(camelContext).store().find(runId);
                if (r.isPresent() && !r.get().running()) {
                    return r;
                }
                Thread.sleep(50); // the record ends just after the exchange: a few polls at most
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    private String runSummary(JobRun r, int run, long runs) {
        RunCounts c = r.counts();
        RunPagePolicy policy = SelfhealRuntime.of(camelContext).config().jobFor(r.job()).pagePolicy();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%n========== Selfheal demo: run %d of %d of job %s ==========%n", run, runs,
                r.job()));
        sb.append(String.format(Locale.ROOT, "outcome                     %s%s%n", r.outcome().map(Enum::name).orElse("?"),
                policy.pages(r) ? "  (one page sent for the run)" : "  (no page)"));
        sb.append(String.format(Locale.ROOT, "records                     %4d%n", c.records()));
        sb.append(String.format(Locale.ROOT, "delivered first try         %4d%n", c.deliveredFirstTry()));
        sb.append(String.format(Locale.ROOT, "delivered after retries     %4d%n", c.deliveredAfterRetries()));
        StringJoiner reasons = new StringJoiner(", ", "  (", ")").setEmptyValue("");
        c.parkedByReason().forEach((reason, n) -> reasons.add(reason.name() + " " + n));
        sb.append(String.format(Locale.ROOT, "parked                      %4d%s%n", c.parked(), reasons));
        UpstreamRunCounts inventory = c.upstreams().get("inventory-service");
        if (inventory != null) {
            sb.append(String.format(Locale.ROOT, "calls to inventory-service  %4d  (%d retries)%n", inventory.calls(),
                    inventory.retries()));
        }
        r.ended().ifPresent(end -> sb.append(String.format(Locale.ROOT, "run time                   %5.1fs%n",
                Duration.between(r.started(), end).toMillis() / 1000.0)));
        sb.append("==============================================================");
        return sb.toString();
    }

    private String history(String job) {
        JobRuns runs = JobRuns.of(camelContext);
        Clock clock = Clock.systemUTC();
        List<JobRun> recorded = runs.store().runsSince(job, clock.instant().minus(JobHealth.DAY.multipliedBy(2)));
        WindowStats day = JobHealth.lastDay(job, recorded, clock).current();
        RunPagePolicy policy = SelfhealRuntime.of(camelContext).config().jobFor(job).pagePolicy();
        StringJoiner outcomes = new StringJoiner(", ");
        for (RunOutcome o : RunOutcome.values()) {
            if (day.runs(o) > 0) {
                outcomes.add(o.name() + " " + day.runs(o));
            }
        }
        long succeeded = day.runs(RunOutcome.CLEAN) + day.runs(RunOutcome.HEALED);
        long pages = recorded.stream().filter(policy::pages).count();
        return String.format(Locale.ROOT, "%n================ Selfheal demo: job history ================%n"
                        + "job %s, last 24h: %d runs (%s), success %.0f%% (%d of %d), %d page(s)%n"
                        + "records %d, delivered %d, parked %d, needed retries %d%n"
                        + "the run records: java -jar target/selfheal.jar jobs  (and: jobs runs %s)%n"
                        + "parked records: java -jar target/selfheal.jar parked list%n"
                        + "==============================================================",
                job, day.ended(), outcomes, day.successShare().orElse(0) * 100, succeeded, day.ended(), pages,
                day.records(), day.delivered(), day.parked(), day.neededRetries(), job);
    }

    private synchronized ExecutorService printer() {
        if (printer == null) {
            printer = camelContext.getExecutorServiceManager().newSingleThreadExecutor(this, "demo-summary");
        }
        return printer;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
