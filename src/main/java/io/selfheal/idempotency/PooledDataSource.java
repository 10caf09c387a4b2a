package io.selfheal.idempotency;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/**
 * The key store's connection pool (HikariCP), opened on first use, so a process that never checks a key never opens
 * the database (nor creates the H2 file). {@link #close()} releases it; a later call opens a fresh pool, so a restarted
 * CamelContext can use the same instance. A database that is down does not stop start-up: the first call waits at
 * most {@code connection-timeout} and fails with a transient error, which self-healing retries.
 */
public final class PooledDataSource implements DataSource, AutoCloseable {
    private final IdempotencyConfig config;
    private final String poolName;
    private volatile HikariDataSource pool;

    public PooledDataSource(IdempotencyConfig config, String poolName) {
        this.config = config;
        this.poolName = poolName;
    }

    public IdempotencyConfig config() {
        return config;
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
                pool = open();
            }
            return pool;
        }
    }

    private HikariDataSource open() {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(poolName);
        hc.setJdbcUrl(config.url());
        if (!config.username().isEmpty()) {
            hc.setUsername(config.username());
        }
        if (!config.password().isEmpty()) {
            hc.setPassword(config.password());
        }
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(config.connectionTimeout().toMillis());
        hc.setValidationTimeout(Math.min(config.connectionTimeout().toMillis(), 5_000));
        // do not fail construction when the database is down: calls fail (and are retried) instead
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(true);
        return new HikariDataSource(hc);
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
        // governed by connection-timeout
    }

    @Override
    public int getLoginTimeout() {
        return (int) config.connectionTimeout().toSeconds();
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
        return "PooledDataSource[" + poolName + ", " + config + "]";
    }
}
