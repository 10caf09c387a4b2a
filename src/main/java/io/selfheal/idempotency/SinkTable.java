package io.selfheal.idempotency;

import io.selfheal.jdbc.SqlDialect;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table the idempotent sink creates when asked to ({@code createTable}): {@code CREATE TABLE IF NOT EXISTS} with
 * one column per column of the first row and a primary key on the key columns. A column's type comes from that row's
 * value (the JSON value kinds):
 * <ul>
 *     <li>a whole number: {@code BIGINT}; a decimal: {@code DECIMAL(38,10)}; true/false: {@code BOOLEAN};</li>
 *     <li>text, null or absent: a key column {@code VARCHAR(255)} (MariaDB cannot key longer text), another column
 *     the dialect's text ({@code VARCHAR(4000)} on H2, {@code TEXT} on PostgreSQL and MariaDB);</li>
 *     <li>a nested object or list is written as its JSON text, and so typed as text.</li>
 * </ul>
 * A later row that does not fit (a column the table lacks, text where a number is) is refused by the database, which
 * Selfheal classifies PERMANENT (SQLSTATE class 22 or 42): it is parked, not retried and never dropped.
 */
public final class SinkTable {
    static final String KEY_TEXT = "VARCHAR(255)";
    static final String DECIMAL = "DECIMAL(38,10)";

    private SinkTable() {
    }

    /** Creates {@code table} unless it exists, typed from {@code firstRow}; {@code columns} empty: the row's keys. */
    public static void createIfAbsent(DataSource dataSource, String table, List<String> keyColumns,
                                      List<String> columns, Map<String, ?> firstRow) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(ddl(SqlDialect.of(c), table, keyColumns, columns.isEmpty() ? firstRow.keySet() : columns,
                    firstRow));
        } catch (SQLException e) {
            throw new IdempotencyStoreException("Could not create table " + table, e);
        }
    }

    /** The statement; every name must already be a checked identifier ({@link SqlNames}). */
    static String ddl(SqlDialect dialect, String table, List<String> keyColumns, Collection<String> columns,
                      Map<String, ?> firstRow) {
        if (!SqlNames.isValid(table)) {
            throw new IllegalArgumentException("Invalid table name '" + table + "'");
        }
        for (String k : keyColumns) {
            if (columns.stream().noneMatch(k::equalsIgnoreCase)) {
                throw new IllegalArgumentException("Key column '" + k + "' is missing in the row that would create"
                        + " table " + table + " (row has " + columns + ")");
            }
        }
        List<String> defs = new ArrayList<>();
        for (String column : columns) {
            if (!SqlNames.isColumn(column)) {
                throw new IllegalArgumentException("Invalid column name '" + column + "' in the row for table " + table);
            }
            boolean key = keyColumns.stream().anyMatch(column::equalsIgnoreCase);
            defs.add(column + " " + type(dialect, value(firstRow, column), key) + (key ? " NOT NULL" : ""));
        }
        return "CREATE TABLE IF NOT EXISTS " + table + " (" + String.join(", ", defs) + ", PRIMARY KEY ("
                + String.join(", ", keyColumns) + "))";
    }

    static String type(SqlDialect dialect, Object value, boolean key) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            return "BIGINT";
        }
        if (value instanceof BigDecimal || value instanceof Double || value instanceof Float) {
            return DECIMAL;
        }
        if (value instanceof Boolean) {
            return "BOOLEAN";
        }
        return key ? KEY_TEXT : dialect.text();
    }

    private static Object value(Map<String, ?> row, String column) {
        if (row.containsKey(column)) {
            return row.get(column);
        }
        for (Map.Entry<String, ?> e : row.entrySet()) {
            if (e.getKey() != null && e.getKey().toLowerCase(Locale.ROOT).equals(column.toLowerCase(Locale.ROOT))) {
                return e.getValue();
            }
        }
        return null;
    }
}
