package io.selfheal.camel;

import io.selfheal.idempotency.IdempotentInsert;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.Map;

/**
 * The processor of the {@value IdempotentJdbcSinkTemplate#TEMPLATE_ID} template: writes the body (a Map of column to
 * value) once; a second write of the same key sets {@value SelfhealProperties#DUPLICATE} and is counted, not failed.
 * While it runs, the data source is the exchange's upstream (unless the route named one), so a database failure is
 * attributed to the database and not to the {@code direct:} endpoint in front of it.
 */
public final class IdempotentJdbcSink implements Processor {
    /** Internal: the upstream property was set by this sink and is removed after the write. */
    static final String SET_UPSTREAM = "SelfhealSinkSetUpstream";

    private final IdempotentInsert insert;
    private final String upstream;

    public IdempotentJdbcSink(IdempotentInsert insert, String upstream) {
        this.insert = insert;
        this.upstream = upstream;
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
        @SuppressWarnings("unchecked")
        Map<String, Object> row = exchange.getMessage().getMandatoryBody(Map.class);
        IdempotentInsert.Outcome outcome = insert.insert(row);
        exchange.setProperty(SelfhealProperties.DUPLICATE, outcome == IdempotentInsert.Outcome.DUPLICATE);
        if (Boolean.TRUE.equals(exchange.removeProperty(SET_UPSTREAM))) {
            exchange.removeProperty(SelfhealProperties.UPSTREAM);
        }
    }
}
