package io.selfheal.jdbc;

import io.selfheal.idempotency.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pool every store gets its connections from. */
class PooledDataSourceTest {
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void connectsWithTheSettingsUserToEachDatabase(TestDatabases database) throws Exception {
        JdbcSettings settings = new JdbcSettings(database.url, database.user, database.password, 2, Duration.ofSeconds(5));
        try (PooledDataSource pool = new PooledDataSource(settings, "pool-test");
             Connection c = pool.getConnection()) {
            assertThat(c.isValid(2)).isTrue();
            assertThat(c.getAutoCommit()).isTrue();
            assertThat(SqlDialect.of(c)).isEqualTo(SqlDialect.valueOf(database.name()));
            if (!database.user.isEmpty()) {
                assertThat(c.getMetaData().getUserName()).startsWith(database.user);
            }
        }
    }

    @Test
    void opensOnFirstUseAndAgainAfterClose(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lazy");
        JdbcSettings settings = new JdbcSettings("jdbc:h2:file:" + file, "", "", 1, Duration.ofSeconds(5));
        PooledDataSource pool = new PooledDataSource(settings, "pool-test");
        assertThat(pool.isOpen()).isFalse();
        assertThat(Files.exists(dir.resolve("lazy.mv.db"))).as("no database opened before a call").isFalse();
        try (Connection c = pool.getConnection()) {
            assertThat(c.isValid(1)).isTrue();
        }
        assertThat(pool.isOpen()).isTrue();
        pool.close();
        assertThat(pool.isOpen()).isFalse();
        try (Connection c = pool.getConnection()) {
            assertThat(c.isValid(1)).as("a restarted context uses the same instance").isTrue();
        }
        pool.close();
    }

    @Test
    void aCallerWaitsAtMostTheConnectionTimeoutForAConnection() throws Exception {
        JdbcSettings settings = new JdbcSettings("jdbc:h2:mem:pool-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "", "",
                1, Duration.ofSeconds(2));
        try (PooledDataSource pool = new PooledDataSource(settings, "pool-test"); Connection held = pool.getConnection()) {
            long start = System.nanoTime();
            assertThatThrownBy(pool::getConnection).as("the pool holds at most poolSize connections")
                    .isInstanceOf(SQLTransientConnectionException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(held.isValid(1)).isTrue();
        }
    }

    @Test
    void aDatabaseThatIsDownFailsTheCallNotTheConstruction() {
        JdbcSettings settings = new JdbcSettings("jdbc:postgresql://127.0.0.1:1/none", "nobody", "", 1,
                Duration.ofMillis(500));
        try (PooledDataSource pool = new PooledDataSource(settings, "pool-test")) {
            assertThatThrownBy(pool::getConnection).isInstanceOf(SQLTransientConnectionException.class);
        }
    }

    @Test
    void connectsOnlyAsTheConfiguredUserAndNeverShowsThePassword() {
        JdbcSettings settings = new JdbcSettings("jdbc:h2:mem:x", "sa", "pool-secret", 1, Duration.ofSeconds(1));
        try (PooledDataSource pool = new PooledDataSource(settings, "pool-test")) {
            assertThatThrownBy(() -> pool.getConnection("other", "pw")).isInstanceOf(SQLFeatureNotSupportedException.class);
            assertThat(pool.toString()).contains("pool-test").doesNotContain("pool-secret");
            assertThat(pool.settings()).isEqualTo(settings);
        }
    }
}
