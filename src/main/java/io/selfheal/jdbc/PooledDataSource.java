package io.selfheal.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The connection pool (HikariCP) of every Selfheal store, made from {@link JdbcSettings} and opened on first use, so a
 * process that never touches a store never opens its database (nor creates an H2 file). {@link #close()} releases it;
 * a later call opens a fresh pool, so a restarted CamelContext can use the same instance. A database that is down does
 * not stop start-up: a call waits at most {@code connectionTimeout} and fails with a transient error, which
 * self-healing retries.
 */
public final class PooledDataSource implements DataSource, AutoCloseable {
    private final JdbcSettings settings;
    private final String poolName;
    private volatile HikariDataSource pool;

    public PooledDataSource(JdbcSettings settings, String poolName) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.poolName = Objects.requireNonNull(poolName, "poolName");
    }

    public JdbcSettings settings() {
        return settings;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool().getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("The Selfheal pool connects with its configured user");
    }

    private HikariDataSource pool() {
        HikariDataSource p = pool;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (pool == null) {
                pool = new HikariDataSource(hikariConfig(settings, poolName));
            }
            return pool;
        }
    }

    static HikariConfig hikariConfig(JdbcSettings settings, String poolName) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(poolName);
        hc.setJdbcUrl(settings.url());
        if (!settings.username().isEmpty()) {
            hc.setUsername(settings.username());
        }
        if (!settings.password().isEmpty()) {
            hc.setPassword(settings.password());
        }
        hc.setMaximumPoolSize(settings.poolSize());
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(settings.connectionTimeout().toMillis());
        hc.setValidationTimeout(Math.min(settings.connectionTimeout().toMillis(), 5_000));
        // do not fail construction when the database is down: calls fail (and are retried) instead
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(true);
        return hc;
    }

    /** True while a pool is open (for tests and health checks). */
    public boolean isOpen() {
        return pool != null;
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // HikariCP logs through SLF4J
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // governed by connectionTimeout
    }

    @Override
    public int getLoginTimeout() {
        return (int) settings.connectionTimeout().toSeconds();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("HikariCP logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return pool().unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || pool().isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "PooledDataSource[" + poolName + ", " + settings + "]";
    }
}
