package io.selfheal.jdbc;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a store reaches its database: what {@link PooledDataSource} needs to open a pool. Immutable; the configuration
 * sections that name a database (idempotency keys, parked messages) each hand one out.
 *
 * @param url               JDBC URL
 * @param username          user, empty for the driver's default
 * @param password          password, empty for none (never shown by {@link #toString()})
 * @param poolSize          maximum pooled connections
 * @param connectionTimeout how long a caller waits for a pooled connection before failing
 */
public record JdbcSettings(String url, String username, String password, int poolSize, Duration connectionTimeout) {
    /** HikariCP refuses anything shorter. */
    public static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);
    /** Shown instead of a password. */
    static final String MASK = "***";
    /** {@code password=...} in a query string or in H2's {@code ;KEY=value} settings, and {@code user:secret@host}. */
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)([?&;]password=)([^&;]*)");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?;]*:)([^/@?;]*)(@)");

    public JdbcSettings {
        Objects.requireNonNull(url, "url");
        username = username == null ? "" : username;
        password = password == null ? "" : password;
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1: " + poolSize);
        }
        if (connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
            throw new IllegalArgumentException("connectionTimeout must be at least " + MIN_CONNECTION_TIMEOUT.toMillis()
                    + "ms: " + connectionTimeout.toMillis() + "ms");
        }
    }

    /** The dialect its URL names; empty for a database Selfheal does not support. */
    public Optional<SqlDialect> dialect() {
        return SqlDialect.fromUrl(url);
    }

    /** The URL with any password in it masked, for messages and logs. */
    public String describeUrl() {
        String u = PASSWORD_PARAM.matcher(url).replaceAll("$1" + Matcher.quoteReplacement(MASK));
        u = USER_INFO.matcher(u).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "$3");
        return password.isEmpty() ? u : u.replace(password, MASK);
    }

    /** Never shows the password, in its field or in the URL. */
    @Override
    public String toString() {
        return "JdbcSettings[url=" + describeUrl() + ", username=" + username + ", password="
                + (password.isEmpty() ? "" : MASK) + ", poolSize=" + poolSize + ", connectionTimeout="
                + connectionTimeout.toMillis() + "ms]";
    }
}
