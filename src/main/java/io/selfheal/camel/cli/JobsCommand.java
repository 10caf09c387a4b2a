package io.selfheal.camel.cli;

import io.selfheal.camel.JobProperties;
import io.selfheal.camel.cli.JobViews.JobSummary;
import io.selfheal.config.ConfigReader;
import io.selfheal.escalation.Redactor;
import io.selfheal.runs.JobHealth;
import io.selfheal.runs.JobRun;
import io.selfheal.runs.JobSettings;
import io.selfheal.runs.RunOutcome;
import io.selfheal.runs.RunStore;
import io.selfheal.settings.SelfhealConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code jobs ...}: the recorded runs of the scheduled jobs, read from the run store ({@link RunStore}, table
 * {@value RunStore#DEFAULT_TABLE} in the parked store's database) with the same configuration as the running jar
 * ({@link JobProperties}). Only reads; starts no routes.
 */
@Command(name = "jobs", description = {"Scheduled jobs and their runs: each job's last run and success rate, a job's "
        + "runs, one run.", "Without a subcommand it lists the jobs (list). Reads the run store; starts no routes."},
        subcommands = {JobsCommand.ListCommand.class, JobsCommand.RunsCommand.class, JobsCommand.ShowCommand.class,
                HelpCommand.class},
        footer = JobsCommand.FOOTER)
public final class JobsCommand implements Callable<Integer> {
    static final String FOOTER = "%nTimes are in the job's selfheal.jobs.<job>.time-zone (UTC by default). Exit codes: "
            + "0 printed; 1 an unknown job or run, or the store could not be read; 2 bad usage or an invalid "
            + "configuration.";
    private static final String JSON = "print JSON instead, for scripts (times in UTC, durations in milliseconds)";

    @Option(names = "--json", description = JSON)
    boolean json;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return list(spec, json);
    }

    /** What a subcommand does with the open store; its exit code. */
    interface StoreAction {
        int run(RunStore store, SelfhealConfig config, PrintWriter out, PrintWriter err);
    }

    /** Opens the configured run store, runs {@code action} on it, and says in one line what went wrong, if anything. */
    static int withStore(CommandSpec spec, StoreAction action) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<SelfhealConfig> loaded = CommandConfig.load("jobs", err);
        if (loaded.isEmpty()) {
            return CommandConfig.INVALID;
        }
        SelfhealConfig config = loaded.get();
        Redactor redactor = config.parked().redactor();
        RunStore store;
        try {
            // the instance id of a reader: it never begins or abandons a run
            store = new RunStore(config.parked().jdbc(), RunStore.DEFAULT_TABLE, "cli:" + ProcessHandle.current().pid(),
                    Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            err.println("jobs: " + redactor.text(String.valueOf(e.getMessage())));
            return 2;
        } catch (RuntimeException e) {
            err.println("jobs: " + redactor.text(why(e)));
            return 1;
        }
        try (store) {
            return action.run(store, config, out, err);
        } catch (RuntimeException e) {
            err.println("jobs: " + redactor.text(why(e)));
            return 1;
        }
    }

    /** The store's message, and the driver's own words when the pool only says it timed out waiting for them. */
    private static String why(RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootMessage = root.getMessage();
        return root == e || rootMessage == null || message.contains(rootMessage) ? message
                : message + " (" + rootMessage.lines().findFirst().orElse("").strip() + ")";
    }

    static int list(CommandSpec spec, boolean json) {
        return withStore(spec, (store, config, out, err) -> {
            Instant now = Instant.now();
            Map<String, JobRun> last = store.lastRuns();
            if (last.isEmpty() && !json) {
                out.println("no runs recorded (run store " + config.parked().jdbc().describeUrl() + ", table "
                        + RunStore.DEFAULT_TABLE + ")");
                return 0;
            }
            Clock clock = Clock.fixed(now, ZoneOffset.UTC);
            List<JobSummary> jobs = new ArrayList<>();
            last.forEach((job, run) -> {
                // two weeks: the last 7 days and the 7 before them
                List<JobRun> runs = store.runsSince(job, now.minus(JobHealth.WEEK.multipliedBy(2)));
                jobs.add(new JobSummary(job, run, JobHealth.lastDay(job, runs, clock), JobHealth.lastWeek(job, runs, clock),
                        config.jobFor(job).timeZone()));
            });
            out.print(json ? JobViews.jobsJson(jobs, now) + "\n" : JobViews.jobsTable(jobs, now));
            return 0;
        });
    }

    @Command(name = "list", description = "Every job: its last run, runs and success over 24h and 7d, attempts per "
            + "success, DEGRADING.", footer = FOOTER)
    static final class ListCommand implements Callable<Integer> {
        @Option(names = "--json", description = JSON)
        boolean json;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return list(spec, json);
        }
    }

    @Command(name = "runs", description = "One job's runs, newest first, with their counts.", footer = FOOTER)
    static final class RunsCommand implements Callable<Integer> {
        @Parameters(paramLabel = "JOB", description = "the job (the id of the route its schedule starts)")
        String job;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "20", converter = ArgumentTypes.PositiveNumber.class,
                description = "at most N runs (default: ${DEFAULT-VALUE})")
        int limit;
        @Option(names = "--outcome", paramLabel = "OUTCOME",
                description = "only runs with this outcome: ${COMPLETION-CANDIDATES}")
        RunOutcome outcome;
        @Option(names = "--json", description = JSON)
        boolean json;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return withStore(spec, (store, config, out, err) -> {
                Instant now = Instant.now();
                List<JobRun> runs = outcome == null ? store.runsOf(job, limit)
                        : store.runsOf(job, Integer.MAX_VALUE).stream()
                        .filter(r -> r.outcome().filter(outcome::equals).isPresent()).limit(limit).toList();
                if (runs.isEmpty() && (outcome == null || store.runsOf(job, 1).isEmpty())) {
                    err.println(unknownJob(job, store.lastRuns().keySet()));
                    return 1;
                }
                if (json) {
                    out.println(JobViews.runsJson(job, runs, now));
                } else if (runs.isEmpty()) {
                    out.println("no " + outcome + " runs of job " + job + " recorded");
                } else {
                    out.print(JobViews.runsTable(runs, config.jobFor(job).timeZone(), now));
                }
                return 0;
            });
        }
    }

    /** "no runs recorded for job 'x'; did you mean 'y'?", or the jobs there are. */
    static String unknownJob(String job, Collection<String> known) {
        String head = "jobs: no runs recorded for job '" + job + "'";
        if (known.isEmpty()) {
            return head + "; no job has any run recorded";
        }
        String lower = job.toLowerCase(Locale.ROOT);
        Optional<String> near = known.stream()
                .min(Comparator.comparingInt(k -> ConfigReader.levenshtein(k.toLowerCase(Locale.ROOT), lower)))
                .filter(k -> ConfigReader.levenshtein(k.toLowerCase(Locale.ROOT), lower) <= Math.max(3, k.length() / 3));
        return near.map(n -> head + "; did you mean '" + n + "'?")
                .orElseGet(() -> head + "; jobs with runs: " + String.join(", ", known.stream().limit(20).toList()));
    }

    @Command(name = "show", description = "One run: every count, per upstream, waits, its failure, its page, its "
            + "parked records.", footer = FOOTER)
    static final class ShowCommand implements Callable<Integer> {
        @Parameters(paramLabel = "RUN", description = "the run id (as jobs runs lists it)")
        String runId;
        @Option(names = "--json", description = JSON)
        boolean json;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return withStore(spec, (store, config, out, err) -> {
                Optional<JobRun> run = store.find(runId.trim());
                if (run.isEmpty()) {
                    err.println("jobs: no run " + runId + " recorded (jobs runs JOB lists a job's run ids)");
                    return 1;
                }
                Instant now = Instant.now();
                JobSettings settings = config.jobFor(run.get().job());
                out.print(json ? JobViews.showJson(run.get(), settings, now) + "\n"
                        : JobViews.show(run.get(), settings, now));
                return 0;
            });
        }
    }
}
