package io.selfheal.idempotency;

import io.selfheal.jdbc.SqlDialect;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one row so that writing it twice leaves one row: the first write inserts, a later write with the same key
 * columns changes nothing and is counted as a duplicate, not failed. The table must have a primary key or unique
 * constraint on exactly the key columns (PostgreSQL refuses {@code ON CONFLICT} without one, with SQLSTATE 42P10).
 * <p>
 * A row is a Map of column name to value. Column names come from the configured list, or else from the row's keys;
 * either way every name is checked as a plain identifier, so a message cannot change the statement. Thread-safe.
 */
public final class IdempotentInsert {
    /** Statements for rows whose columns come from the message; bounded so odd messages cannot grow it. */
    static final int MAX_CACHED_STATEMENTS = 64;

    public enum Outcome { INSERTED, DUPLICATE }

    private final DataSource dataSource;
    private final String table;
    private final List<String> keyColumns;
    private final List<String> columns;
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final Map<List<String>, String> statements = new ConcurrentHashMap<>();
    private volatile SqlDialect dialect;

    /**
     * @param keyColumns the columns of the table's unique key (at least one)
     * @param columns    the columns to write; empty to take them from each row's keys
     */
    public IdempotentInsert(DataSource dataSource, String table, List<String> keyColumns, List<String> columns) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (!SqlNames.isValid(table)) {
            throw new IllegalArgumentException("Invalid table name '" + table
                    + "': letters, digits and underscores, optionally schema-qualified (schema.table)");
        }
        if (keyColumns == null || keyColumns.isEmpty()) {
            throw new IllegalArgumentException("keyColumns: at least one key column is required for table " + table);
        }
        for (String c : keyColumns) {
            if (!SqlNames.isColumn(c)) {
                throw new IllegalArgumentException("Invalid key column name '" + c + "'");
            }
        }
        for (String c : columns) {
            if (!SqlNames.isColumn(c)) {
                throw new IllegalArgumentException("Invalid column name '" + c + "'");
            }
        }
        if (!columns.isEmpty()) {
            for (String k : keyColumns) {
                if (columns.stream().noneMatch(k::equalsIgnoreCase)) {
                    throw new IllegalArgumentException("Key column '" + k + "' is not among the columns " + columns);
                }
            }
        }
        this.table = table;
        this.keyColumns = List.copyOf(keyColumns);
        this.columns = List.copyOf(columns);
    }

    public Outcome insert(Map<String, ?> row) {
        Objects.requireNonNull(row, "row");
        List<String> cols = columns.isEmpty() ? columnsOf(row) : columns;
        List<Object> values = new ArrayList<>(cols.size());
        for (String c : cols) {
            values.add(jdbcValue(value(row, c)));
        }
        for (String k : keyColumns) {
            if (value(row, k) == null) {
                throw new IllegalArgumentException("Key column '" + k + "' is missing or null in the row for table "
                        + table + " (row has " + row.keySet() + ")");
            }
        }
        try (Connection c = dataSource.getConnection()) {
            SqlDialect d = dialect(c);
            String sql = statement(d, cols);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < values.size(); i++) {
                    ps.setObject(i + 1, values.get(i));
                }
                if (ps.executeUpdate() > 0) {
                    inserted.incrementAndGet();
                    return Outcome.INSERTED;
                }
                duplicates.incrementAndGet();
                return Outcome.DUPLICATE;
            } catch (SQLException e) {
                // a duplicate reported as an error (MariaDB, or a race in H2's MERGE) counts only when it is this
                // key: a clash on another unique index is a real failure
                if (d.isDuplicateKey(e) && keyExists(c, row)) {
                    duplicates.incrementAndGet();
                    return Outcome.DUPLICATE;
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new IdempotencyStoreException("Could not write to " + table, e);
        }
    }

    public long inserted() {
        return inserted.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public String table() {
        return table;
    }

    public List<String> keyColumns() {
        return keyColumns;
    }

    private SqlDialect dialect(Connection c) throws SQLException {
        SqlDialect d = dialect;
        if (d == null) {
            d = SqlDialect.of(c);
            dialect = d;
        }
        return d;
    }

    private String statement(SqlDialect d, List<String> cols) {
        String sql = statements.get(cols);
        if (sql == null) {
            sql = d.insertIfAbsent(table, cols, keyColumns);
            if (statements.size() < MAX_CACHED_STATEMENTS) {
                statements.put(cols, sql);
            }
        }
        return sql;
    }

    /** The row's keys, checked and sorted, so one set of columns gives one statement whatever the map's order. */
    private List<String> columnsOf(Map<String, ?> row) {
        List<String> cols = new ArrayList<>();
        for (String name : row.keySet()) {
            if (!SqlNames.isColumn(name)) {
                throw new IllegalArgumentException("Invalid column name '" + name + "' in the row for table " + table
                        + ": letters, digits and underscores, starting with a letter or underscore");
            }
            cols.add(name);
        }
        if (cols.isEmpty()) {
            throw new IllegalArgumentException("Empty row for table " + table);
        }
        cols.sort(Comparator.comparing(s -> s.toLowerCase(Locale.ROOT)));
        for (String k : keyColumns) {
            if (cols.stream().noneMatch(k::equalsIgnoreCase)) {
                throw new IllegalArgumentException("Key column '" + k + "' is missing in the row for table " + table
                        + " (row has " + row.keySet() + ")");
            }
        }
        return List.copyOf(cols);
    }

    private boolean keyExists(Connection c, Map<String, ?> row) {
        StringBuilder sql = new StringBuilder("SELECT 1 FROM ").append(table).append(" WHERE ");
        for (int i = 0; i < keyColumns.size(); i++) {
            sql.append(i == 0 ? "" : " AND ").append(keyColumns.get(i)).append(" = ?");
        }
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < keyColumns.size(); i++) {
                ps.setObject(i + 1, jdbcValue(value(row, keyColumns.get(i))));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /** The row's value for a column: by exact name, else ignoring case (databases fold unquoted names). */
    private static Object value(Map<String, ?> row, String column) {
        if (row.containsKey(column)) {
            return row.get(column);
        }
        for (Map.Entry<String, ?> e : row.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(column)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Types every driver accepts: java.util.Date and Instant become Timestamps. */
    private static Object jdbcValue(Object v) {
        if (v instanceof Instant i) {
            return Timestamp.from(i);
        }
        if (v instanceof java.util.Date d && !(v instanceof java.sql.Date) && !(v instanceof java.sql.Time)
                && !(v instanceof Timestamp)) {
            return new Timestamp(d.getTime());
        }
        return v;
    }
}
