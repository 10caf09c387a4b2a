package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfhealProperties;

import io.selfheal.idempotency.IdempotentInsert;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The processor of the {@value IdempotentJdbcSinkTemplate#TEMPLATE_ID} template: writes one row once; a second write
 * of the same key sets {@value SelfhealProperties#DUPLICATE} and is counted, not failed. The row is the body (a Map of
 * column to value), or, for routes that cannot build a Map (YAML), the headers or exchange properties named like the
 * configured columns.
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

    public IdempotentJdbcSink(IdempotentInsert insert, String upstream) {
        this(insert, upstream, RowSource.BODY, List.of());
    }

    /** @param columns the columns to read from headers or properties (required unless the source is the body) */
    public IdempotentJdbcSink(IdempotentInsert insert, String upstream, RowSource rowSource, List<String> columns) {
        if (rowSource != RowSource.BODY && columns.isEmpty()) {
            throw new IllegalArgumentException("rows from " + rowSource.name().toLowerCase(Locale.ROOT)
                    + " need the columns parameter");
        }
        this.insert = insert;
        this.upstream = upstream;
        this.rowSource = rowSource;
        this.columns = List.copyOf(columns);
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
        IdempotentInsert.Outcome outcome = insert.insert(row(exchange));
        exchange.setProperty(SelfhealProperties.DUPLICATE, outcome == IdempotentInsert.Outcome.DUPLICATE);
        if (Boolean.TRUE.equals(exchange.removeProperty(SET_UPSTREAM))) {
            exchange.removeProperty(SelfhealProperties.UPSTREAM);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> row(Exchange exchange) throws Exception {
        if (rowSource == RowSource.BODY) {
            return exchange.getMessage().getMandatoryBody(Map.class);
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (String c : columns) {
            row.put(c, rowSource == RowSource.HEADERS ? exchange.getMessage().getHeader(c) : exchange.getProperty(c));
        }
        return row;
    }
}
