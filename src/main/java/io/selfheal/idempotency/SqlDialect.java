package io.selfheal.idempotency;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What differs between the databases Selfheal writes keys and sink rows to: how to insert a row only when its key is
 * absent, how a duplicate key is reported, and the DDL of the key table.
 * <p>
 * Every "insert if absent" statement reports 1 updated row when it inserted and 0 when the key was there. A racing
 * insert of the same key can still end in a duplicate-key error (H2's MERGE, MariaDB's plain INSERT); callers treat
 * that error as "already there" after {@link #isDuplicateKey} says so.
 */
public enum SqlDialect {
    /**
     * {@code MERGE INTO ... USING (VALUES ...) ... WHEN NOT MATCHED THEN INSERT}: keeps the first row. The key store
     * claims with a plain INSERT instead ({@link #insertKey}).
     */
    H2("TIMESTAMP"),
    /** {@code INSERT ... ON CONFLICT (key) DO NOTHING}: only a conflict on the key columns is absorbed. */
    POSTGRESQL("TIMESTAMP"),
    /**
     * A plain {@code INSERT}; the duplicate-key error 1062 means "already there". Not {@code INSERT IGNORE}: it also
     * turns data errors into warnings (a truncated string, a NULL replaced by a default), silently storing wrong rows.
     */
    MARIADB("DATETIME(3)");

    /** SQLSTATE of a unique violation in PostgreSQL and H2. */
    static final String UNIQUE_VIOLATION = "23505";
    /** MariaDB/MySQL ER_DUP_ENTRY (SQLSTATE 23000, shared with other integrity errors). */
    static final int MARIADB_DUP_ENTRY = 1062;

    private final String timestampType;

    SqlDialect(String timestampType) {
        this.timestampType = timestampType;
    }

    /** By the URL's sub-protocol; empty when it is none of the supported databases. */
    public static Optional<SqlDialect> fromUrl(String url) {
        String u = url == null ? "" : url.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:h2:")) {
            return Optional.of(H2);
        }
        if (u.startsWith("jdbc:postgresql:")) {
            return Optional.of(POSTGRESQL);
        }
        if (u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:")) {
            return Optional.of(MARIADB);
        }
        return Optional.empty();
    }

    /** By what the server says it is (works for data sources whose URL is hidden behind a pool or proxy). */
    public static SqlDialect of(Connection connection) throws SQLException {
        DatabaseMetaData md = connection.getMetaData();
        String product = md.getDatabaseProductName() == null ? "" : md.getDatabaseProductName().toLowerCase(Locale.ROOT);
        if (product.contains("h2")) {
            return H2;
        }
        if (product.contains("postgres")) {
            return POSTGRESQL;
        }
        if (product.contains("mariadb") || product.contains("mysql")) {
            return MARIADB;
        }
        Optional<SqlDialect> byUrl = fromUrl(md.getURL());
        if (byUrl.isEmpty()) {
            throw new SQLException("Unsupported database '" + md.getDatabaseProductName()
                    + "': Selfheal's idempotency supports H2, PostgreSQL and MariaDB");
        }
        return byUrl.get();
    }

    /**
     * The key table: one row per (scope, key); the primary key is what makes concurrent consumers safe. A row whose
     * {@code claimed_by} is set is a claim still being processed (renewed until {@code claim_expires_ms}, epoch
     * milliseconds, so processes in different time zones agree); a row without it is confirmed.
     */
    public String createKeyTable(String table) {
        return "CREATE TABLE IF NOT EXISTS " + table + " ("
                + "scope_name VARCHAR(" + JdbcKeyStore.MAX_SCOPE_CHARS + ") NOT NULL, "
                + "message_key VARCHAR(" + JdbcKeyStore.MAX_KEY_CHARS + ") NOT NULL, "
                + "created_at " + timestampType + " NOT NULL, "
                + "claimed_by VARCHAR(" + JdbcKeyStore.MAX_OWNER_CHARS + "), "
                + "claim_expires_ms BIGINT, "
                + "PRIMARY KEY (scope_name, message_key))";
    }

    /**
     * Adds the claim columns to a key table created before claims existed; its rows have no claim, so they count as
     * confirmed, as they did.
     */
    public List<String> addClaimColumns(String table) {
        return List.of(
                "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS claimed_by VARCHAR(" + JdbcKeyStore.MAX_OWNER_CHARS + ")",
                "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS claim_expires_ms BIGINT");
    }

    /**
     * INSERT of {@code columns} (in that order, one parameter each) that leaves an existing row with the same
     * {@code keyColumns} alone and then updates 0 rows.
     */
    public String insertIfAbsent(String table, List<String> columns, List<String> keyColumns) {
        String cols = String.join(", ", columns);
        String params = String.join(", ", columns.stream().map(c -> "?").toList());
        return switch (this) {
            case H2 -> {
                List<String> on = new ArrayList<>();
                for (String k : keyColumns) {
                    on.add("t." + k + " = s." + k);
                }
                yield "MERGE INTO " + table + " t USING (VALUES (" + params + ")) AS s(" + cols + ") ON "
                        + String.join(" AND ", on) + " WHEN NOT MATCHED THEN INSERT (" + cols + ") VALUES ("
                        + String.join(", ", columns.stream().map(c -> "s." + c).toList()) + ")";
            }
            case POSTGRESQL -> "INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ") ON CONFLICT ("
                    + String.join(", ", keyColumns) + ") DO NOTHING";
            case MARIADB -> "INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ")";
        };
    }

    /**
     * The key store's claim of a key: one INSERT of {@code columns} for a table whose only unique constraint is its
     * primary key {@code keyColumns} (Selfheal's own key table). It reports 1 updated row for a new key; for a key that
     * is there it reports 0 (PostgreSQL) or fails with a duplicate-key error ({@link #isDuplicateKey}; H2, MariaDB).
     * <ul>
     *     <li>PostgreSQL: {@code ON CONFLICT (key) DO NOTHING}, so a copy of a message does not put an ERROR line in
     *         the server log;</li>
     *     <li>H2: a plain INSERT, not {@link #insertIfAbsent}'s MERGE: 4 threads on an H2 file ({@code WRITE_DELAY=0})
     *         ran the MERGE at about 0.77 × the INSERT's rate for new keys, and a failing INSERT of a present key was
     *         faster than the MERGE as well;</li>
     *     <li>MariaDB: a plain INSERT, as {@link #insertIfAbsent}.</li>
     * </ul>
     * Not for tables with other unique constraints (a user's table in the idempotent sink): there a duplicate-key
     * error need not mean the key was there; use {@link #insertIfAbsent}.
     */
    public String insertKey(String table, List<String> columns, List<String> keyColumns) {
        return switch (this) {
            case POSTGRESQL -> insertIfAbsent(table, columns, keyColumns);
            case H2, MARIADB -> "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                    + String.join(", ", columns.stream().map(c -> "?").toList()) + ")";
        };
    }

    /** True when the error (or one chained to it) is a unique-key violation. */
    public boolean isDuplicateKey(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s) {
                for (SQLException n = s; n != null; n = n.getNextException()) {
                    if (UNIQUE_VIOLATION.equals(n.getSQLState())
                            || (this == MARIADB && n.getErrorCode() == MARIADB_DUP_ENTRY)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
