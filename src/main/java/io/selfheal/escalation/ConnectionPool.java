package io.selfheal.escalation;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A few reusable JDBC connections to the parked store, so parking does not open a connection (or, for H2, a
 * database) per message. Connections are checked before reuse; extra ones are simply closed.
 */
final class ConnectionPool implements AutoCloseable {
    private final String url;
    private final String username;
    private final String password;
    private final BlockingQueue<Connection> idle;
    private volatile boolean closed;

    ConnectionPool(String url, String username, String password, int maxIdle) {
        this.url = url;
        this.username = username;
        this.password = password;
        this.idle = new ArrayBlockingQueue<>(maxIdle);
    }

    Connection borrow() throws SQLException {
        if (closed) {
            throw new SQLException("the parked store is closed");
        }
        Connection c;
        while ((c = idle.poll()) != null) {
            try {
                if (c.isValid(2)) {
                    return c;
                }
            } catch (SQLException e) {
                // fall through: a broken connection is closed and replaced
            }
            closeQuietly(c);
        }
        return username == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, username, password);
    }

    /** Returns a connection; one in a failed or open transaction is closed rather than reused. */
    void release(Connection c, boolean healthy) {
        if (c == null) {
            return;
        }
        try {
            if (!closed && healthy && c.getAutoCommit() && idle.offer(c)) {
                return;
            }
        } catch (SQLException e) {
            // close it below
        }
        closeQuietly(c);
    }

    @Override
    public void close() {
        closed = true;
        Connection c;
        while ((c = idle.poll()) != null) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing to do
        }
    }
}
