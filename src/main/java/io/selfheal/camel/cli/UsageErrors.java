package io.selfheal.camel.cli;

import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.List;

/**
 * Bad usage (an unknown command or option, a missing or invalid argument): the error, "did you mean" where a command
 * or option is near, and the usage of the command it concerns, all on stderr; exit 2. (picocli's own handler leaves
 * the usage out when it has a suggestion.)
 */
final class UsageErrors implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(message(ex));
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println();
        cmd.usage(err);
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** picocli's message, except that a word where a command belongs is called an unknown command. */
    static String message(ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        if (ex instanceof UnmatchedArgumentException u && !cmd.getSubcommands().isEmpty()
                && cmd.getCommandSpec().positionalParameters().isEmpty()) {
            List<String> unmatched = u.getUnmatched();
            if (!unmatched.isEmpty() && !unmatched.get(0).startsWith("-")) {
                return "Unknown command: '" + unmatched.get(0) + "'";
            }
        }
        return ex.getMessage();
    }
}
