package io.selfheal.idempotency;

import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigReader;
import io.selfheal.config.ConfigValues;
import io.selfheal.jdbc.JdbcSettings;
import io.selfheal.jdbc.SqlDialect;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code selfheal.idempotency.*} section: where the idempotent-consumer keys live. The default is an H2 file under
 * {@code ./data}, which survives a restart of one process; several processes share keys through PostgreSQL or MariaDB
 * by setting the URL. Immutable; validated once at start-up.
 *
 * @param url               JDBC URL of the key store
 * @param username          user, empty for H2's default
 * @param password          password (never logged)
 * @param table             table holding the keys; created if missing
 * @param poolSize          maximum pooled connections
 * @param connectionTimeout how long a caller waits for a pooled connection before failing (a TRANSIENT failure)
 * @param claimTimeout      how long a key claimed by a processing stays claimed without being renewed: the process
 *                          renews its claims every third of it, so a claim older than this belongs to a process that
 *                          died, and the next copy of the message takes it over
 */
public record IdempotencySettings(String url, String username, String password, String table, int poolSize,
                                Duration connectionTimeout, Duration claimTimeout) {
    public static final String PREFIX = "selfheal.idempotency.";
    public static final String URL = PREFIX + "url";
    public static final String USERNAME = PREFIX + "username";
    public static final String PASSWORD = PREFIX + "password";
    public static final String TABLE = PREFIX + "table";
    public static final String POOL_SIZE = PREFIX + "pool-size";
    public static final String CONNECTION_TIMEOUT = PREFIX + "connection-timeout";
    public static final String CLAIM_TIMEOUT = PREFIX + "claim-timeout";

    /**
     * An H2 file relative to the working directory: survives a restart, owned by one process. WRITE_DELAY=0 writes
     * each commit through at once: with H2's default (500 ms) a killed process loses the keys of its last half second,
     * and those messages would be processed twice.
     */
    public static final String DEFAULT_URL = "jdbc:h2:file:./data/selfheal-idempotency;WRITE_DELAY=0";
    public static final String DEFAULT_TABLE = "selfheal_idempotency";
    public static final int DEFAULT_POOL_SIZE = 5;
    public static final int MAX_POOL_SIZE = 100;
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    /** HikariCP refuses anything shorter. */
    public static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);
    /**
     * After a crash, copies of the messages that were in flight are retried for up to this long before their claims
     * are taken over; a live process that stalls (a long GC pause) for longer may see its claims taken over.
     */
    public static final Duration DEFAULT_CLAIM_TIMEOUT = Duration.ofSeconds(30);
    /** Claims are renewed every third of the timeout: shorter would renew faster than a database round trip allows. */
    public static final Duration MIN_CLAIM_TIMEOUT = Duration.ofSeconds(1);

    public IdempotencySettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(table, "table");
        username = username == null ? "" : username;
        password = password == null ? "" : password;
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        Objects.requireNonNull(claimTimeout, "claimTimeout");
    }

    public static IdempotencySettings defaults() {
        return new IdempotencySettings(DEFAULT_URL, "", "", DEFAULT_TABLE, DEFAULT_POOL_SIZE, DEFAULT_CONNECTION_TIMEOUT,
                DEFAULT_CLAIM_TIMEOUT);
    }

    /** Takes every {@code selfheal.idempotency.*} key from the reader; an invalid value names its key. */
    public static IdempotencySettings parse(ConfigReader reader) {
        String url = reader.take(URL).orElse(DEFAULT_URL);
        if (!url.startsWith("jdbc:") || url.length() <= "jdbc:".length()) {
            throw new ConfigException(URL, "Invalid JDBC URL for " + URL
                    + ": expected jdbc:h2:..., jdbc:postgresql://... or jdbc:mariadb://...");
        }
        if (SqlDialect.fromUrl(url).isEmpty()) {
            throw new ConfigException(URL, "Unsupported database in " + URL + ": supported are "
                    + "jdbc:h2:, jdbc:postgresql: and jdbc:mariadb: (or jdbc:mysql: served by MariaDB)");
        }
        SqlDialect.missingDriver(url).ifPresent(why -> {
            throw new ConfigException(URL, URL + ": " + why);
        });
        String username = reader.take(USERNAME).orElse("");
        String password = reader.take(PASSWORD).orElse("");
        String table = reader.take(TABLE).orElse(DEFAULT_TABLE);
        if (!SqlNames.isValid(table)) {
            throw new ConfigException(TABLE, "Invalid table name '" + table + "' for " + TABLE
                    + ": letters, digits and underscores, optionally schema-qualified (schema.table)");
        }
        int poolSize = reader.take(POOL_SIZE).map(v -> ConfigValues.integer(POOL_SIZE, v)).orElse(DEFAULT_POOL_SIZE);
        if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
            throw new ConfigException(POOL_SIZE, "Invalid " + POOL_SIZE + " " + poolSize + ": must be between 1 and "
                    + MAX_POOL_SIZE);
        }
        Duration timeout = reader.take(CONNECTION_TIMEOUT).map(v -> ConfigValues.duration(CONNECTION_TIMEOUT, v))
                .orElse(DEFAULT_CONNECTION_TIMEOUT);
        if (timeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
            throw new ConfigException(CONNECTION_TIMEOUT, "Invalid " + CONNECTION_TIMEOUT + " " + timeout.toMillis()
                    + "ms: must be at least " + MIN_CONNECTION_TIMEOUT.toMillis() + "ms");
        }
        Duration claimTimeout = reader.take(CLAIM_TIMEOUT).map(v -> ConfigValues.duration(CLAIM_TIMEOUT, v))
                .orElse(DEFAULT_CLAIM_TIMEOUT);
        if (claimTimeout.compareTo(MIN_CLAIM_TIMEOUT) < 0) {
            throw new ConfigException(CLAIM_TIMEOUT, "Invalid " + CLAIM_TIMEOUT + " " + claimTimeout.toMillis()
                    + "ms: must be at least " + MIN_CLAIM_TIMEOUT.toSeconds() + "s");
        }
        return new IdempotencySettings(url, username, password, table, poolSize, timeout, claimTimeout);
    }

    /** Where the keys live, as the pool opens it. */
    public JdbcSettings jdbc() {
        return new JdbcSettings(url, username, password, poolSize, connectionTimeout);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "IdempotencySettings[url=" + jdbc().describeUrl() + ", username=" + username + ", table=" + table + ", poolSize="
                + poolSize + ", connectionTimeout=" + connectionTimeout.toMillis() + "ms, claimTimeout="
                + claimTimeout.toMillis() + "ms]";
    }
}
