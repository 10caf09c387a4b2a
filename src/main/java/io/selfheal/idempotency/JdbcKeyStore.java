package io.selfheal.idempotency;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Keys already seen, in one database table shared by every process that points at it. One row per (scope, key); the
 * primary key decides races: of two concurrent inserts of one key exactly one reports "new". Every call uses its own
 * pooled connection in auto-commit mode, so nothing is held between calls.
 * <p>
 * Plain JDBC; the Camel repository ({@link JdbcIdempotentRepository}) is a thin view of one scope on top of it.
 */
public final class JdbcKeyStore {
    public static final int MAX_SCOPE_CHARS = 100;
    public static final int MAX_KEY_CHARS = 255;
    private static final List<String> COLUMNS = List.of("scope_name", "message_key", "created_at");
    private static final List<String> KEY_COLUMNS = List.of("scope_name", "message_key");

    private final DataSource dataSource;
    private final String table;
    private final Clock clock;
    private volatile Prepared prepared;

    /** The dialect and statements, fixed once the table is known to exist. */
    private record Prepared(SqlDialect dialect, String insert, String select, String delete, String clear) {
    }

    public JdbcKeyStore(DataSource dataSource, String table, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (!SqlNames.isValid(table)) {
            throw new IllegalArgumentException("Invalid key table name '" + table + "'");
        }
        this.table = table;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public String table() {
        return table;
    }

    /** Detects the database and creates the table if it is missing. Safe to call again and from several processes. */
    public SqlDialect ensureTable() {
        return prepared().dialect();
    }

    /** Records the key; true when it was new, false when it had been seen (including by a concurrent caller). */
    public boolean add(String scope, String key) {
        Prepared p = prepared();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(p.insert())) {
            ps.setString(1, checkedScope(scope));
            ps.setString(2, storedKey(key));
            ps.setTimestamp(3, Timestamp.from(clock.instant()));
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            if (p.dialect().isDuplicateKey(e)) {
                // a concurrent insert of the same key won the race: the primary key says "seen"
                return false;
            }
            throw new IdempotencyStoreException("Could not record idempotency key in " + table, e);
        }
    }

    public boolean contains(String scope, String key) {
        Prepared p = prepared();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(p.select())) {
            ps.setString(1, checkedScope(scope));
            ps.setString(2, storedKey(key));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IdempotencyStoreException("Could not look up idempotency key in " + table, e);
        }
    }

    /** Forgets the key (a message that gave up, so its replay can go through); true when it was there. */
    public boolean remove(String scope, String key) {
        Prepared p = prepared();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(p.delete())) {
            ps.setString(1, checkedScope(scope));
            ps.setString(2, storedKey(key));
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new IdempotencyStoreException("Could not remove idempotency key from " + table, e);
        }
    }

    /** Forgets every key of the scope; returns how many. */
    public int clear(String scope) {
        Prepared p = prepared();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(p.clear())) {
            ps.setString(1, checkedScope(scope));
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IdempotencyStoreException("Could not clear idempotency keys in " + table, e);
        }
    }

    /**
     * Keys longer than the column are stored as their SHA-256, so a long key is never cut (two long keys that share
     * a prefix stay distinct).
     */
    static String storedKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.length() <= MAX_KEY_CHARS) {
            return key;
        }
        return "sha256:" + sha256Hex(key);
    }

    static String sha256Hex(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String checkedScope(String scope) {
        if (scope == null || scope.isEmpty() || scope.length() > MAX_SCOPE_CHARS) {
            throw new IllegalArgumentException("Idempotency scope must be 1 to " + MAX_SCOPE_CHARS + " characters: '"
                    + scope + "'");
        }
        return scope;
    }

    private Prepared prepared() {
        Prepared p = prepared;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (prepared == null) {
                prepared = prepare();
            }
            return prepared;
        }
    }

    private Prepared prepare() {
        try (Connection c = dataSource.getConnection()) {
            SqlDialect dialect = SqlDialect.of(c);
            try (Statement s = c.createStatement()) {
                s.execute(dialect.createKeyTable(table));
            } catch (SQLException e) {
                // another process created it at the same moment (PostgreSQL reports a unique violation on its
                // catalogue); anything else is real
                if (!tableExists(c)) {
                    throw e;
                }
            }
            String where = " WHERE scope_name = ? AND message_key = ?";
            return new Prepared(dialect, dialect.insertIfAbsent(table, COLUMNS, KEY_COLUMNS),
                    "SELECT 1 FROM " + table + where, "DELETE FROM " + table + where,
                    "DELETE FROM " + table + " WHERE scope_name = ?");
        } catch (SQLException e) {
            throw new IdempotencyStoreException("Could not prepare the idempotency key table " + table, e);
        }
    }

    private boolean tableExists(Connection c) {
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0").close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }
}
