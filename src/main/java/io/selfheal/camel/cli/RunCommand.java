package io.selfheal.camel.cli;

import io.selfheal.camel.SelfhealMain;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code run}: the job, as the jar runs it without a command; camel-main's own arguments go through to it. */
@Command(name = "run", description = {"Runs the job: the routes in routes/, self-healing (the default).",
        "It reads the built-in defaults, then config/application.properties, then -D system properties."},
        footer = {"", "Exit codes: 0 the job ended; 1 start-up failed, with one line \"Selfheal could not start: ...\"."})
final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CAMEL-MAIN-ARGUMENT", arity = "0..*",
            description = "passed on to camel-main, e.g. -duration 60s; run -- -help lists camel-main's own")
    List<String> camelMainArguments = new ArrayList<>();

    @Override
    public Integer call() {
        return runJob(camelMainArguments);
    }

    static int runJob(List<String> camelMainArguments) {
        return SelfhealMain.runJob(camelMainArguments.toArray(String[]::new));
    }
}
