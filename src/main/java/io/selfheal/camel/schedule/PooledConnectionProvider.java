package io.selfheal.camel.schedule;

import io.selfheal.jdbc.PooledDataSource;
import org.quartz.utils.ConnectionProvider;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The job store's connections, from Selfheal's pool: the credentials stay in its {@code JdbcSettings} and never pass
 * through Quartz's properties (which camel-quartz logs). Quartz closes it when the scheduler shuts down.
 */
final class PooledConnectionProvider implements ConnectionProvider {
    private final PooledDataSource pool;

    PooledConnectionProvider(PooledDataSource pool) {
        this.pool = pool;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void shutdown() {
        pool.close();
    }

    @Override
    public void initialize() {
        // the pool opens on first use
    }
}
