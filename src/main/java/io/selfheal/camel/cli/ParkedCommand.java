package io.selfheal.camel.cli;

import io.selfheal.camel.JobProperties;
import io.selfheal.camel.escalation.ParkedReplayService;
import io.selfheal.camel.escalation.ParkedViews;

import io.selfheal.config.Durations;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStatus;
import io.selfheal.escalation.ParkedStore;
import io.selfheal.escalation.ReplayPoll;
import io.selfheal.escalation.ReplayPollers;
import io.selfheal.settings.SelfhealConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code parked ...}: the parked store from the command line, with the same configuration as the running jar
 * ({@link JobProperties}). Starts no routes.
 * <p>
 * A replay from here does not run routes in this process (that would start their consumers too): it marks the
 * records REPLAY_REQUESTED, and a running job's replay poller replays them; whether one polls the store is read from
 * the store itself ({@link ReplayPollers}), so it holds for a job on another host too. List, show and discard act on
 * the store directly.
 */
@Command(name = "parked", description = {"The parked messages: list, show, replay or discard them.",
        "Acts on the configured parked store; starts no routes."},
        subcommands = {ParkedCommand.ListCommand.class, ParkedCommand.ShowCommand.class,
                ParkedCommand.ReplayCommand.class, ParkedCommand.DiscardCommand.class, HelpCommand.class},
        footer = ParkedCommand.FOOTER)
public final class ParkedCommand {
    static final String FOOTER = "%nIDs may be written 12 or #12. Exit codes: 0 done; 1 an operation failed (a record "
            + "not found, not replayable or not discarded, a replay not delivered within --wait, a store error); 2 bad "
            + "usage or an invalid configuration.";
    private static final Set<ParkedStatus> IN_FLIGHT = EnumSet.of(ParkedStatus.REPLAY_REQUESTED, ParkedStatus.REPLAYING);

    /** What a subcommand does with the open store; its exit code. */
    interface StoreAction {
        int run(ParkedStore store, PrintWriter out, PrintWriter err);
    }

    /** Opens the configured store, runs {@code action} on it, and says in one line what went wrong, if anything. */
    static int withStore(CommandSpec spec, StoreAction action) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<SelfhealConfig> loaded = CommandConfig.load("parked", err);
        if (loaded.isEmpty()) {
            return CommandConfig.INVALID;
        }
        SelfhealConfig config = loaded.get();
        try (ParkedStore store = new ParkedStore(config.parked(), Clock.systemUTC())) {
            return action.run(store, out, err);
        } catch (IllegalArgumentException e) {
            err.println("parked: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("parked: " + config.parked().redactor().text(String.valueOf(e.getMessage())));
            return 1;
        }
    }

    @Command(name = "list", description = "A table of parked records, newest first.", footer = FOOTER)
    static final class ListCommand implements Callable<Integer> {
        @Option(names = "--status", paramLabel = "STATUS",
                description = "only records in this status: ${COMPLETION-CANDIDATES}")
        ParkedStatus status;
        @Option(names = "--upstream", paramLabel = "NAME", description = "only records of this upstream")
        String upstream;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", converter = ArgumentTypes.PositiveNumber.class,
                description = "at most N records (default: ${DEFAULT-VALUE})")
        int limit;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return withStore(spec, (store, out, err) -> {
                out.print(ParkedViews.table(store.list(status, upstream, limit)));
                return 0;
            });
        }
    }

    @Command(name = "show", description = "One record, redacted: what a replay sends, and the message at failure.",
            footer = FOOTER)
    static final class ShowCommand implements Callable<Integer> {
        @Parameters(paramLabel = "ID", converter = ArgumentTypes.MessageId.class, description = "the record")
        long id;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return withStore(spec, (store, out, err) -> {
                Optional<ParkedMessage> m = store.find(id);
                if (m.isEmpty()) {
                    err.println("parked: no parked message #" + id);
                    return 1;
                }
                out.print(ParkedViews.show(m.get(), store.config().redactor()));
                return 0;
            });
        }
    }

    @Command(name = "replay", description = {"Asks the running job to replay records.",
            "Marks them REPLAY_REQUESTED; a running job replays them through their route (or --to) within its "
                    + "replay-poll-interval, else the next job started against the store replays them as it starts."},
            footer = FOOTER)
    static final class ReplayCommand implements Callable<Integer> {
        @Parameters(paramLabel = "ID", arity = "0..*", converter = ArgumentTypes.MessageId.class,
                description = "the records to replay (or --upstream)")
        List<Long> ids = new ArrayList<>();
        @Option(names = "--upstream", paramLabel = "NAME",
                description = "every PARKED record of this upstream (at most 10,000) instead of IDs")
        String upstream;
        @Option(names = "--max-attempts", paramLabel = "N", converter = ArgumentTypes.PositiveNumber.class,
                description = "the replay's budget of calls, instead of the route's")
        Integer maxAttempts;
        @Option(names = "--max-duration", paramLabel = "DURATION", converter = ArgumentTypes.Length.class,
                description = "the replay's time budget (10m, 1h), instead of the route's")
        Duration maxDuration;
        @Option(names = "--to", paramLabel = "ENDPOINT-URI", description = "replay into this endpoint instead")
        String to;
        @Option(names = "--wait", paramLabel = "DURATION", converter = ArgumentTypes.Length.class,
                description = "wait this long (1m) for the outcomes and print them")
        Duration wait;
        @Option(names = "--by", paramLabel = "NAME", description = "who asks (default: the OS user)")
        String by;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (upstream != null && !ids.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "give IDs or --upstream, not both");
            }
            if (upstream == null && ids.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "replay needs IDs or --upstream NAME");
            }
            return withStore(spec, this::replay);
        }

        private int replay(ParkedStore store, PrintWriter out, PrintWriter err) {
            List<Long> chosen = new ArrayList<>(ids);
            if (upstream != null) {
                chosen.addAll(store.parkedIds(upstream, null, ParkedReplayService.MAX_BULK));
                if (chosen.isEmpty()) {
                    out.println("no PARKED messages for upstream " + upstream);
                    return 0;
                }
            }
            String requester = by != null ? by : System.getProperty("user.name", "cli");
            int code = 0;
            List<Long> requested = new ArrayList<>();
            for (long id : chosen) {
                if (store.requestReplay(id, requester, to, maxAttempts, maxDuration)) {
                    requested.add(id);
                    out.println("#" + id + " replay requested");
                } else {
                    out.println("#" + id + " not replayable: " + store.find(id).map(m -> "its status is " + m.status())
                            .orElse("no such message"));
                    code = 1;
                }
            }
            if (requested.isEmpty()) {
                return code;
            }
            Optional<String> noJob = noRunningJob(store);
            if (wait == null) {
                out.println(noJob.orElseGet(() -> whenReplayed(store)));
                return code;
            }
            // a job may be starting: wait anyway, but say now that none polls
            noJob.ifPresent(out::println);
            out.flush();
            return awaitOutcomes(store, requested, wait, out) ? code : 1;
        }
    }

    /** With a job polling: when it replays the requests. */
    private static String whenReplayed(ParkedStore store) {
        Duration interval = store.replayPollers().live(Instant.now()).map(ReplayPoll::interval)
                .orElse(store.config().replayPollInterval());
        return "the running Selfheal replays them within " + Durations.human(interval)
                + "; see: parked list --status REPLAYED";
    }

    /** The line to print when no job polls this store (its pollers say so), empty when one does. */
    static Optional<String> noRunningJob(ParkedStore store) {
        ReplayPollers pollers;
        try {
            pollers = store.replayPollers();
        } catch (RuntimeException e) {
            return Optional.of("cannot tell whether a Selfheal job polls this store ("
                    + store.config().redactor().text(String.valueOf(e.getMessage())) + "): a "
                    + "running job replays them within its replay-poll-interval, else the next job started against "
                    + "this store replays them as it starts");
        }
        if (pollers.live(Instant.now()).isPresent()) {
            return Optional.empty();
        }
        String waits = ": the requests wait here, and the next job started against this store replays them as it starts";
        return Optional.of(pollers.last()
                .map(p -> "no running Selfheal job has polled this store since "
                        + p.polledAt().truncatedTo(ChronoUnit.SECONDS) + " (" + p.instance()
                        + (p.stoppedAt() != null ? ", stopped at " + p.stoppedAt().truncatedTo(ChronoUnit.SECONDS) : "")
                        + ")" + waits)
                .orElse("no Selfheal job has ever polled this store" + waits));
    }

    /** Polls until every record left REPLAY_REQUESTED/REPLAYING or the wait is over; true when all were REPLAYED. */
    private static boolean awaitOutcomes(ParkedStore store, List<Long> ids, Duration wait, PrintWriter out) {
        long deadline = System.nanoTime() + wait.toNanos();
        Map<Long, ParkedMessage> last = new LinkedHashMap<>();
        while (true) {
            boolean pending = false;
            for (long id : ids) {
                ParkedMessage m = store.find(id).orElse(null);
                last.put(id, m);
                pending |= m != null && IN_FLIGHT.contains(m.status());
            }
            if (!pending || System.nanoTime() > deadline) {
                break;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        boolean allDelivered = true;
        for (Map.Entry<Long, ParkedMessage> e : last.entrySet()) {
            ParkedMessage m = e.getValue();
            if (m == null) {
                out.println("#" + e.getKey() + " vanished");
                allDelivered = false;
                continue;
            }
            String extra = switch (m.status()) {
                case REPARKED -> ": failed again, parked as #" + m.reparkedAs();
                case PARKED -> ": replay failed: " + store.config().redactor().text(String.valueOf(m.lastReplayError()));
                case REPLAY_REQUESTED -> ": not picked up yet (is Selfheal running?)";
                case REPLAYING -> ": still replaying";
                default -> "";
            };
            out.println("#" + m.id() + " " + m.status() + extra);
            allDelivered &= m.status() == ParkedStatus.REPLAYED;
        }
        return allDelivered;
    }

    @Command(name = "discard", description = "Accepts the loss of records: DISCARDED, with who and why.",
            footer = FOOTER)
    static final class DiscardCommand implements Callable<Integer> {
        @Parameters(paramLabel = "ID", arity = "1..*", converter = ArgumentTypes.MessageId.class,
                description = "the records to discard")
        List<Long> ids = new ArrayList<>();
        @Option(names = "--reason", paramLabel = "TEXT", required = true,
                description = "why the loss is accepted (required)")
        String reason;
        @Option(names = "--by", paramLabel = "NAME", description = "who discards (default: the OS user)")
        String by;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (reason.isBlank()) {
                throw new ParameterException(spec.commandLine(), "discard needs --reason \"why the loss is accepted\"");
            }
            String who = by != null ? by : System.getProperty("user.name", "cli");
            return withStore(spec, (store, out, err) -> {
                int code = 0;
                for (long id : ids) {
                    if (store.discard(id, who, reason)) {
                        out.println("#" + id + " DISCARDED");
                    } else {
                        out.println("#" + id + " not discarded: " + store.find(id)
                                .map(m -> "its status is " + m.status()).orElse("no such message"));
                        code = 1;
                    }
                }
                return code;
            });
        }
    }
}
