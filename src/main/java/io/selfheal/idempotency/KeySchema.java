package io.selfheal.idempotency;

import io.selfheal.jdbc.SqlDialect;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The key table: one row per (scope, key); the primary key is what makes concurrent consumers safe. A row whose
 * {@code claimed_by} is set is a claim still being processed (renewed until {@code claim_expires_ms}, epoch
 * milliseconds, so processes in different time zones agree); a row without it is confirmed. No index besides the
 * primary key: every statement finds its row by it, and an index on the owner cost every claim and confirm its upkeep.
 */
public final class KeySchema {
    private final String table;

    public KeySchema(String table) {
        this.table = table;
    }

    /**
     * Detects the database, creates the table when it is missing and adds the claim columns to one created before
     * claims existed. Safe to call again and from several processes at once.
     */
    SqlDialect ensure(Connection c) throws SQLException {
        SqlDialect dialect = SqlDialect.of(c);
        try (Statement s = c.createStatement()) {
            s.execute(createTable(dialect));
        } catch (SQLException e) {
            // another process created it at the same moment (PostgreSQL reports a unique violation on its
            // catalogue); anything else is real
            if (!answers(c, "SELECT 1 FROM " + table + " WHERE 1 = 0")) {
                throw e;
            }
        }
        addClaimColumnsIfMissing(c);
        return dialect;
    }

    public String createTable(SqlDialect dialect) {
        return "CREATE TABLE IF NOT EXISTS " + table + " ("
                + "scope_name VARCHAR(" + JdbcKeyStore.MAX_SCOPE_CHARS + ") NOT NULL, "
                + "message_key VARCHAR(" + JdbcKeyStore.MAX_KEY_CHARS + ") NOT NULL, "
                + "created_at " + dialect.timestamp() + " NOT NULL, "
                + "claimed_by VARCHAR(" + JdbcKeyStore.MAX_OWNER_CHARS + "), "
                + "claim_expires_ms BIGINT, "
                + "PRIMARY KEY (scope_name, message_key))";
    }

    /**
     * Adds the claim columns to a key table created before claims existed; its rows have no claim, so they count as
     * confirmed, as they did.
     */
    List<String> addClaimColumns() {
        return List.of(
                "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS claimed_by VARCHAR(" + JdbcKeyStore.MAX_OWNER_CHARS + ")",
                "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS claim_expires_ms BIGINT");
    }

    /** Several processes may race to add them: a failure is re-checked. */
    private void addClaimColumnsIfMissing(Connection c) throws SQLException {
        if (hasClaimColumns(c)) {
            return;
        }
        for (String ddl : addClaimColumns()) {
            try (Statement s = c.createStatement()) {
                s.execute(ddl);
            } catch (SQLException e) {
                if (!hasClaimColumns(c)) {
                    throw e;
                }
            }
        }
    }

    private boolean hasClaimColumns(Connection c) {
        return answers(c, "SELECT claimed_by, claim_expires_ms FROM " + table + " WHERE 1 = 0");
    }

    private static boolean answers(Connection c, String query) {
        try (Statement s = c.createStatement()) {
            s.executeQuery(query).close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }
}
