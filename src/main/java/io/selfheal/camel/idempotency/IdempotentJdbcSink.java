package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfhealProperties;

import io.selfheal.idempotency.IdempotentInsert;
import io.selfheal.json.Json;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The processor of the {@code idempotent-jdbc-sink} Kamelet: writes one row once; a second write of the same key sets
 * {@value SelfhealProperties#DUPLICATE} and is counted, not failed. The row is the body (a JSON object as text or
 * bytes, or a Map of column to value; a nested object or list is written as its JSON text), or the headers or exchange
 * properties named like the configured columns. With a table creator, the first row creates the table if it is absent
 * ({@link io.selfheal.idempotency.SinkTable}).
 * While it runs, the data source is the exchange's upstream (unless the route named one), so a database failure is
 * attributed to the database and not to the {@code direct:} endpoint in front of it.
 */
public final class IdempotentJdbcSink implements Processor {
    /** Internal: the upstream property was set by this sink and is removed after the write. */
    static final String SET_UPSTREAM = "SelfhealSinkSetUpstream";

    /** Where a row's values come from. */
    public enum RowSource {
        BODY, HEADERS, PROPERTIES;

        public static RowSource parse(String parameter, String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("parameter " + parameter + ": '" + value
                        + "' is not one of body, headers, properties");
            }
        }
    }

    private final IdempotentInsert insert;
    private final String upstream;
    private final RowSource rowSource;
    private final List<String> columns;
    private final Consumer<Map<String, Object>> tableCreator;
    private volatile boolean tableReady;

    public IdempotentJdbcSink(IdempotentInsert insert, String upstream) {
        this(insert, upstream, RowSource.BODY, List.of(), null);
    }

    /**
     * @param columns      the columns to read from headers or properties (required unless the source is the body)
     * @param tableCreator creates the table from the first row if it is absent; null when the table must exist
     */
    public IdempotentJdbcSink(IdempotentInsert insert, String upstream, RowSource rowSource, List<String> columns,
                              Consumer<Map<String, Object>> tableCreator) {
        if (rowSource != RowSource.BODY && columns.isEmpty()) {
            throw new IllegalArgumentException("rows from " + rowSource.name().toLowerCase(Locale.ROOT)
                    + " need the columns parameter");
        }
        this.insert = insert;
        this.upstream = upstream;
        this.rowSource = rowSource;
        this.columns = List.copyOf(columns);
        this.tableCreator = tableCreator;
    }

    public IdempotentInsert insert() {
        return insert;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        if (exchange.getProperty(SelfhealProperties.UPSTREAM) == null) {
            exchange.setProperty(SelfhealProperties.UPSTREAM, upstream);
            exchange.setProperty(SET_UPSTREAM, Boolean.TRUE);
        }
        Map<String, Object> row = row(exchange);
        if (tableCreator != null && !tableReady) {
            createTable(row);
        }
        IdempotentInsert.Outcome outcome = insert.insert(row);
        exchange.setProperty(SelfhealProperties.DUPLICATE, outcome == IdempotentInsert.Outcome.DUPLICATE);
        if (Boolean.TRUE.equals(exchange.removeProperty(SET_UPSTREAM))) {
            exchange.removeProperty(SelfhealProperties.UPSTREAM);
        }
    }

    /** Once per sink; CREATE TABLE IF NOT EXISTS makes a race between two sinks harmless. */
    private synchronized void createTable(Map<String, Object> firstRow) {
        if (!tableReady) {
            tableCreator.accept(firstRow);
            tableReady = true;
        }
    }

    private Map<String, Object> row(Exchange exchange) throws Exception {
        if (rowSource == RowSource.BODY) {
            return bodyRow(exchange);
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (String c : columns) {
            row.put(c, rowSource == RowSource.HEADERS ? exchange.getMessage().getHeader(c) : exchange.getProperty(c));
        }
        return row;
    }

    /** A Map as it is; JSON object text or bytes parsed; nested values as their JSON text. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> bodyRow(Exchange exchange) throws Exception {
        Object body = exchange.getMessage().getBody();
        Map<String, Object> row;
        if (body instanceof Map<?, ?> m) {
            row = new LinkedHashMap<>((Map<String, Object>) m);
        } else if (body == null) {
            throw new IllegalArgumentException("the body is empty: the sink expects a JSON object or a Map");
        } else {
            String text = exchange.getContext().getTypeConverter().tryConvertTo(String.class, exchange, body);
            if (text == null) {
                throw new IllegalArgumentException("the body (" + body.getClass().getName()
                        + ") is neither a JSON object nor a Map");
            }
            row = Json.readObject(text);
        }
        for (Map.Entry<String, Object> e : row.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> || e.getValue() instanceof java.util.Collection<?>) {
                e.setValue(Json.write(e.getValue()));
            }
        }
        return row;
    }
}
