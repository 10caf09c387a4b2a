package io.selfheal.camel.cli;

import io.selfheal.camel.JobProperties;
import io.selfheal.camel.Selfheal;
import io.selfheal.camel.SelfhealMain;
import io.selfheal.camel.escalation.ParkedReplayService;
import io.selfheal.camel.escalation.ParkedViews;

import io.selfheal.config.ConfigValues;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStatus;
import io.selfheal.escalation.ParkedStore;
import org.apache.camel.impl.DefaultCamelContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * {@code java -jar selfheal.jar parked ...}: the parked store from the command line, with the same configuration as
 * the running jar ({@link JobProperties}).
 * <p>
 * A replay from here does not run routes in this process (that would start their consumers too): it marks the
 * records REPLAY_REQUESTED, and the running Selfheal replays them within {@code selfheal.parked.replay-poll-interval}
 * (default 2s). {@code --wait 1m} waits for the outcome. List, show and discard act on the store directly.
 */
public final class ParkedCli {
    static final String USAGE = """
            usage: java -jar selfheal.jar parked <command>
              list [--status PARKED|REPLAY_REQUESTED|REPLAYING|REPLAYED|REPARKED|DISCARDED] [--upstream NAME] [--limit N]
              show ID
              replay ID... [--max-attempts N] [--max-duration 10m] [--to ENDPOINT-URI] [--wait 1m] [--by NAME]
              replay --upstream NAME [same options]
              discard ID... --reason "why the loss is accepted" [--by NAME]
            A replay is carried out by the running Selfheal (it polls for requests); --wait waits for the outcome.""";
    private static final Set<ParkedStatus> IN_FLIGHT = EnumSet.of(ParkedStatus.REPLAY_REQUESTED, ParkedStatus.REPLAYING);

    private final PrintStream out;
    private final PrintStream err;

    private ParkedCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** @return the process exit code: 0 done, 1 an operation failed, 2 bad usage or configuration */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new ParkedCli(out, err).run(args);
    }

    private int run(String[] args) {
        Args a;
        try {
            a = Args.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("parked: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (a.command == null || a.command.equals("help")) {
            out.println(USAGE);
            return a.command == null ? 2 : 0;
        }
        SelfhealConfig config;
        try {
            config = SelfhealConfig.load(JobProperties.selfheal());
        } catch (IllegalArgumentException | IOException e) {
            err.println("parked: invalid configuration: " + e.getMessage());
            return 2;
        }
        try (ParkedStore store = new ParkedStore(config.parked(), Clock.systemUTC())) {
            return switch (a.command) {
                case "list" -> list(store, a);
                case "show" -> show(store, a);
                case "replay" -> replay(store, a);
                case "discard" -> discard(store, a);
                default -> {
                    err.println("parked: unknown command '" + a.command + "'");
                    err.println(USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println("parked: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("parked: " + config.parked().redactor().text(String.valueOf(e.getMessage())));
            return 1;
        }
    }

    private int list(ParkedStore store, Args a) {
        ParkedStatus status = a.option("status").map(s -> {
            try {
                return ParkedStatus.valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown status '" + s + "'");
            }
        }).orElse(null);
        int limit = a.option("limit").map(v -> positiveInt("--limit", v)).orElse(100);
        out.print(ParkedViews.table(store.list(status, a.option("upstream").orElse(null), limit)));
        return 0;
    }

    private int show(ParkedStore store, Args a) {
        if (a.ids.size() != 1) {
            throw new IllegalArgumentException("show takes one ID");
        }
        long id = a.ids.get(0);
        Optional<ParkedMessage> m = store.find(id);
        if (m.isEmpty()) {
            err.println("parked: no parked message #" + id);
            return 1;
        }
        out.print(ParkedViews.show(m.get(), store.config().redactor()));
        return 0;
    }

    private int replay(ParkedStore store, Args a) {
        Integer maxAttempts = a.option("max-attempts").map(v -> positiveInt("--max-attempts", v)).orElse(null);
        Duration maxDuration = a.option("max-duration").map(v -> ConfigValues.duration("--max-duration", v)).orElse(null);
        String to = a.option("to").orElse(null);
        String by = a.option("by").orElse(System.getProperty("user.name", "cli"));
        List<Long> ids = new ArrayList<>(a.ids);
        Optional<String> upstream = a.option("upstream");
        if (upstream.isPresent()) {
            if (!ids.isEmpty()) {
                throw new IllegalArgumentException("give IDs or --upstream, not both");
            }
            ids.addAll(store.parkedIds(upstream.get(), null, ParkedReplayService.MAX_BULK));
            if (ids.isEmpty()) {
                out.println("no PARKED messages for upstream " + upstream.get());
                return 0;
            }
        } else if (ids.isEmpty()) {
            throw new IllegalArgumentException("replay needs IDs or --upstream NAME");
        }
        int code = 0;
        List<Long> requested = new ArrayList<>();
        for (long id : ids) {
            if (store.requestReplay(id, by, to, maxAttempts, maxDuration)) {
                requested.add(id);
                out.println("#" + id + " replay requested");
            } else {
                out.println("#" + id + " not replayable: " + store.find(id).map(m -> "its status is " + m.status())
                        .orElse("no such message"));
                code = 1;
            }
        }
        Optional<Duration> wait = a.option("wait").map(v -> ConfigValues.duration("--wait", v));
        if (wait.isEmpty() || requested.isEmpty()) {
            if (!requested.isEmpty()) {
                out.println("the running Selfheal replays them within " + store.config().replayPollInterval()
                        + "; see: parked list --status REPLAYED");
            }
            return code;
        }
        return awaitOutcomes(store, requested, wait.get()) ? code : 1;
    }

    /** Polls until every record left REPLAY_REQUESTED/REPLAYING or the wait is over; true when all were REPLAYED. */
    private boolean awaitOutcomes(ParkedStore store, List<Long> ids, Duration wait) {
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

    private int discard(ParkedStore store, Args a) {
        String reason = a.option("reason").filter(r -> !r.isBlank())
                .orElseThrow(() -> new IllegalArgumentException("discard needs --reason \"why the loss is accepted\""));
        if (a.ids.isEmpty()) {
            throw new IllegalArgumentException("discard needs at least one ID");
        }
        String by = a.option("by").orElse(System.getProperty("user.name", "cli"));
        int code = 0;
        for (long id : a.ids) {
            if (store.discard(id, by, reason)) {
                out.println("#" + id + " DISCARDED");
            } else {
                out.println("#" + id + " not discarded: " + store.find(id).map(m -> "its status is " + m.status())
                        .orElse("no such message"));
                code = 1;
            }
        }
        return code;
    }

    private static int positiveInt(String name, String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of at least 1");
        }
    }

    /** Command, numeric IDs and --name value options. */
    private static final class Args {
        String command;
        final List<Long> ids = new ArrayList<>();
        final Map<String, String> options = new LinkedHashMap<>();
        static final Set<String> KNOWN = Set.of("status", "upstream", "limit", "max-attempts", "max-duration", "to",
                "wait", "by", "reason");

        static Args parse(String[] args) {
            Args a = new Args();
            for (int i = 0; i < args.length; i++) {
                String s = args[i];
                if (s.startsWith("--")) {
                    String name = s.substring(2);
                    String value = null;
                    int eq = name.indexOf('=');
                    if (eq >= 0) {
                        value = name.substring(eq + 1);
                        name = name.substring(0, eq);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    }
                    if (!KNOWN.contains(name)) {
                        throw new IllegalArgumentException("unknown option --" + name);
                    }
                    if (value == null) {
                        throw new IllegalArgumentException("--" + name + " needs a value");
                    }
                    a.options.put(name, value);
                } else if (a.command == null) {
                    a.command = s;
                } else {
                    try {
                        a.ids.add(Long.parseLong(s.startsWith("#") ? s.substring(1) : s));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("'" + s + "' is not a message ID");
                    }
                }
            }
            return a;
        }

        Optional<String> option(String name) {
            return Optional.ofNullable(options.get(name));
        }
    }
}
