package io.selfheal.camel.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * A command that failed where it did not say why itself: one line on stderr naming the command, exit 1; never a
 * stack trace.
 */
final class CommandFailures implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        String why = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        cmd.getErr().println(cmd.getCommandName() + " failed: " + why);
        return cmd.getCommandSpec().exitCodeOnExecutionException();
    }
}
