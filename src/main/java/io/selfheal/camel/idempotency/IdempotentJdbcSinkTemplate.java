package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfHealingClauses;

import io.selfheal.idempotency.IdempotentInsert;
import io.selfheal.idempotency.SqlNames;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.RouteTemplateContext;

import javax.sql.DataSource;
import java.util.List;

/**
 * Route template {@value #TEMPLATE_ID}: a route on {@code direct:<name>} that writes each message (its body as a Map
 * of column to value, or the headers or exchange properties named like the columns) into a table so that writing it
 * twice leaves one row; it inherits {@code self-healing}, so a lost connection is retried and a constraint violation
 * is not.
 * <pre>
 * - templatedRoute:
 *     routeTemplateRef: idempotent-jdbc-sink
 *     routeId: orders-sink
 *     parameters:
 *       - { name: name, value: orders-sink }        # consumes direct:orders-sink
 *       - { name: table, value: orders }
 *       - { name: keyColumns, value: order_id }     # the table's primary key or unique constraint
 *       - { name: columns, value: "order_id,customer,amount" }   # optional: default the body's keys
 *       - { name: dataSource, value: ordersDb }     # optional: default the idempotency database
 *       - { name: rowFrom, value: body }            # optional: body (a Map), headers or properties
 * </pre>
 */
public class IdempotentJdbcSinkTemplate extends RouteBuilder {
    public static final String TEMPLATE_ID = "idempotent-jdbc-sink";
    public static final String NAME = "name";
    public static final String TABLE = "table";
    public static final String KEY_COLUMNS = "keyColumns";
    public static final String COLUMNS = "columns";
    public static final String DATA_SOURCE = "dataSource";
    public static final String ROW_FROM = "rowFrom";

    @Override
    public void configure() {
        routeTemplate(TEMPLATE_ID)
                .templateParameter(NAME, null, "the sink consumes direct:<name>; also the name its counts are kept under")
                .templateParameter(TABLE, null, "the table to write; it needs a unique key on keyColumns")
                .templateParameter(KEY_COLUMNS, null, "comma-separated columns of the table's unique key")
                .templateOptionalParameter(COLUMNS, "comma-separated columns to write; default: the body's keys")
                .templateParameter(DATA_SOURCE, SelfhealIdempotency.DATA_SOURCE_BEAN,
                        "registry name of the javax.sql.DataSource; default: the selfheal.idempotency database")
                .templateParameter(ROW_FROM, "body",
                        "body (a Map of column to value), headers or properties (named like the columns)")
                .templateBean("selfhealSink", IdempotentJdbcSink.class, IdempotentJdbcSinkTemplate::createSink)
                .from("direct:{{" + NAME + "}}")
                .routeConfigurationId(SelfHealingClauses.ROUTE_CONFIGURATION_ID)
                .process("{{selfhealSink}}");
    }

    static IdempotentJdbcSink createSink(RouteTemplateContext rtc) {
        CamelContext context = rtc.getCamelContext();
        String name = required(rtc, NAME);
        String table = required(rtc, TABLE);
        String dataSourceName = rtc.getProperty(DATA_SOURCE, String.class);
        if (dataSourceName == null || dataSourceName.isBlank()) {
            dataSourceName = SelfhealIdempotency.DATA_SOURCE_BEAN;
        }
        dataSourceName = dataSourceName.startsWith("#") ? dataSourceName.substring(1) : dataSourceName;
        dataSourceName = dataSourceName.startsWith("bean:") ? dataSourceName.substring(5) : dataSourceName;
        SelfhealIdempotency idempotency = SelfhealIdempotency.of(context);
        DataSource ds = context.getRegistry().lookupByNameAndType(dataSourceName, DataSource.class);
        if (ds == null && SelfhealIdempotency.DATA_SOURCE_BEAN.equals(dataSourceName)) {
            ds = idempotency.dataSource();
        }
        if (ds == null) {
            throw new IllegalArgumentException(TEMPLATE_ID + " '" + name + "': parameter " + DATA_SOURCE + ": no "
                    + "javax.sql.DataSource named '" + dataSourceName + "' in the registry");
        }
        try {
            List<String> columns = SqlNames.columnList(COLUMNS, rtc.getProperty(COLUMNS, String.class));
            IdempotentInsert insert = new IdempotentInsert(ds, table,
                    SqlNames.columnList(KEY_COLUMNS, required(rtc, KEY_COLUMNS)), columns);
            String rowFrom = rtc.getProperty(ROW_FROM, String.class);
            IdempotentJdbcSink sink = new IdempotentJdbcSink(insert, dataSourceName,
                    IdempotentJdbcSink.RowSource.parse(ROW_FROM, rowFrom == null || rowFrom.isBlank() ? "body" : rowFrom),
                    columns);
            idempotency.registerSink(name, insert);
            return sink;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(TEMPLATE_ID + " '" + name + "': " + e.getMessage(), e);
        }
    }

    private static String required(RouteTemplateContext rtc, String parameter) {
        String v = rtc.getProperty(parameter, String.class);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(TEMPLATE_ID + ": parameter " + parameter + " is required");
        }
        return v.trim();
    }
}
