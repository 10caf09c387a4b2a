package io.selfheal.camel.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The jar's command line, one picocli tree: {@code run} (the job, also what no command does), {@code parked},
 * {@code jobs}, {@code report} and {@code help}; {@code --help} and {@code --version} on every level (the standard
 * options and the version are inherited; the description and footer are each command's own). A new command is a class
 * with its {@code @Command} and one entry in {@code subcommands} below.
 */
@Command(name = SelfhealCommand.NAME, scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = SelfhealVersion.class, sortOptions = false,
        description = {"Selfheal: Camel integration jobs that heal themselves from intermittent failures.",
                "Without a command it runs the job (run). COMMAND --help tells more of each."},
        subcommands = {RunCommand.class, ParkedCommand.class, JobsCommand.class, ReportCommand.class, HelpCommand.class},
        footer = {"", "Every command reads the job's configuration (the built-in defaults, then "
                + "config/application.properties, then -D system properties): run it from the job's directory.",
                "Exit codes: 0 done; 1 failed; 2 bad usage (an unknown command or option, a missing argument)."})
public final class SelfhealCommand implements Callable<Integer> {
    /** How the usage names the jar. */
    public static final String NAME = "java -jar selfheal.jar";

    @Override
    public Integer call() {
        return RunCommand.runJob(List.of());
    }

    /** Parses {@code args}, runs the command they name, and returns the process exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The whole tree, configured as the jar runs it (the docs test reads its commands and options from here). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SelfhealCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // "--reason @home" is a reason, not a file to read arguments from
        cli.setExpandAtFiles(false);
        cli.setParameterExceptionHandler(new UsageErrors());
        cli.setExecutionExceptionHandler(new CommandFailures());
        // camel-main's own options (-duration 10s) go through run to camel-main
        cli.getSubcommands().get("run").setUnmatchedOptionsArePositionalParams(true);
        return cli;
    }
}
