package io.selfheal.testing;

import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.SelfhealProperties;

import io.selfheal.classify.Classification;
import org.apache.camel.Exchange;

/**
 * Prints one fault-matrix row as measured (a Markdown table line in the test output), so the table in the report is
 * read from a run, not written by hand: {@code grep '^| ' target/surefire-reports/*FaultMatrix*-output.txt}.
 * Columns: row, class, deciding rule, SelfhealAttempts, attempts counted at the peer, outcome.
 */
public final class MatrixReport {
    private MatrixReport() {
    }

    /**
     * @param attemptsAtPeer what the peer saw: requests in WireMock's journal, executions at the database, or sends
     *                       to the endpoint when no server answers
     */
    public static void row(String row, Exchange out, int attemptsAtPeer) {
        Classification c = ExchangeState.classification(out);
        String reason = out.getProperty(SelfhealProperties.GIVE_UP_REASON, String.class);
        String outcome = reason == null ? "delivered" : "gave up: " + reason;
        System.out.printf("| %s | %s | %s | %s | %d | %s |%n", row, out.getProperty(SelfhealProperties.FAILURE_CLASS),
                c == null ? "-" : c.rule(), out.getProperty(SelfhealProperties.ATTEMPTS), attemptsAtPeer, outcome);
    }
}
