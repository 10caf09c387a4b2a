package io.selfheal.camel.cli;

import io.selfheal.camel.JobProperties;
import io.selfheal.settings.SelfhealConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;

/** The job's configuration as a command reads it; an invalid one is said in one line (the command then exits 2). */
final class CommandConfig {
    /** The exit code of a command whose configuration is invalid: bad usage, as picocli's own. */
    static final int INVALID = 2;

    private CommandConfig() {
    }

    static Optional<SelfhealConfig> load(String command, PrintWriter err) {
        try {
            return Optional.of(SelfhealConfig.load(JobProperties.selfheal()));
        } catch (IllegalArgumentException | IOException e) {
            err.println(command + ": invalid configuration: " + e.getMessage());
            return Optional.empty();
        }
    }
}
