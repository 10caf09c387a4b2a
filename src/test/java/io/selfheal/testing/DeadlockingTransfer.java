package io.selfheal.testing;

import io.selfheal.camel.SelfhealProperties;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * A route step that moves an amount between two accounts in one JDBC transaction, locking the rows in the order the
 * message says (headers {@code from}, {@code to}, {@code amount}). On a message's first attempt it waits, between its two
 * UPDATEs, for the other message's first attempt to get there too: two transfers in opposite directions then hold one
 * row each and want the other's, a real deadlock that the database breaks by aborting one of them. Retries do not
 * wait, so the victim's retry simply runs once the other transaction is done.
 */
public final class DeadlockingTransfer implements Processor {
    private final DataSource dataSource;
    private final String table;
    private volatile CyclicBarrier firstAttemptsMeet = new CyclicBarrier(2);

    public DeadlockingTransfer(DataSource dataSource, String table) {
        this.dataSource = dataSource;
        this.table = table;
    }

    /** Arms the meeting point for the next pair of transfers. */
    public void expectPair() {
        firstAttemptsMeet = new CyclicBarrier(2);
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        int from = exchange.getIn().getHeader("from", Integer.class);
        int to = exchange.getIn().getHeader("to", Integer.class);
        int amount = exchange.getIn().getHeader("amount", Integer.class);
        // SelfhealAttempts is set before each redelivery: absent on the first attempt
        boolean firstAttempt = exchange.getProperty(SelfhealProperties.ATTEMPTS) == null;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                update(c, "UPDATE " + table + " SET balance = balance - ? WHERE id = ?", amount, from);
                if (firstAttempt) {
                    firstAttemptsMeet.await(10, TimeUnit.SECONDS);
                }
                update(c, "UPDATE " + table + " SET balance = balance + ? WHERE id = ?", amount, to);
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void update(Connection c, String sql, int amount, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, amount);
            ps.setInt(2, id);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("no account " + id);
            }
        }
    }
}
