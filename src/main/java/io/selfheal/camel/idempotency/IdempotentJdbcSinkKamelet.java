package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfhealKamelets;
import io.selfheal.config.ConfigReader;
import io.selfheal.idempotency.IdempotentInsert;
import io.selfheal.idempotency.SinkTable;
import io.selfheal.idempotency.SqlNames;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.service.ServiceSupport;

import javax.sql.DataSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Java side of the {@value SelfhealKamelets#IDEMPOTENT_JDBC_SINK} Kamelet
 * (kamelets/idempotent-jdbc-sink.kamelet.yaml), a template bean of each use: its parameters are bound as properties,
 * checked by {@link #checkValues} when the use's route is made; at start it finds the data source and builds the
 * {@link IdempotentJdbcSink} every message goes through. The sink's counts are kept under the use's route id
 * ({@link SelfhealIdempotency#sink}).
 */
public final class IdempotentJdbcSinkKamelet extends ServiceSupport implements Processor, CamelContextAware {
    public static final String TABLE = "table";
    public static final String KEY_COLUMNS = "keyColumns";
    public static final String COLUMNS = "columns";
    public static final String ROW_FROM = "rowFrom";
    public static final String DATA_SOURCE = "dataSource";
    public static final String CREATE_TABLE = "createTable";

    private CamelContext camelContext;
    private String name;
    private String table;
    private String keyColumns;
    private String columns = "";
    private String rowFrom = "body";
    private String dataSource = SelfhealIdempotency.DATA_SOURCE_BEAN;
    private String createTable = "false";
    private volatile IdempotentJdbcSink sink;

    /** Checks one use's parameters when its route is made from the template, so a bad value stops start-up. */
    public static void checkValues(Map<String, Object> p) {
        try {
            String table = text(p.get(TABLE));
            if (!SqlNames.isValid(table)) {
                throw new IllegalArgumentException("parameter " + TABLE + ": invalid table name '" + table
                        + "': letters, digits and underscores, optionally schema-qualified (schema.table)");
            }
            List<String> keys = SqlNames.columnList(KEY_COLUMNS, text(p.get(KEY_COLUMNS)));
            List<String> cols = SqlNames.columnList(COLUMNS, text(p.get(COLUMNS)));
            for (String k : keys) {
                if (!cols.isEmpty() && cols.stream().noneMatch(k::equalsIgnoreCase)) {
                    throw new IllegalArgumentException("parameter " + COLUMNS + ": key column '" + k
                            + "' is not among the columns " + cols);
                }
            }
            IdempotentJdbcSink.RowSource source = IdempotentJdbcSink.RowSource.parse(ROW_FROM,
                    text(p.getOrDefault(ROW_FROM, "body")));
            if (source != IdempotentJdbcSink.RowSource.BODY && cols.isEmpty()) {
                throw new IllegalArgumentException("rows from " + source.name().toLowerCase(Locale.ROOT)
                        + " need the columns parameter");
            }
            String ds = text(p.get(DATA_SOURCE));
            if (ds.startsWith("#")) {
                throw new IllegalArgumentException("parameter " + DATA_SOURCE + ": give the bean name without '#' ('"
                        + ds.replaceFirst("^#(bean:)?", "") + "')");
            }
            bool(text(p.getOrDefault(CREATE_TABLE, "false")));
        } catch (IllegalArgumentException e) {
            // the message is the whole story: no cause, so the root of the start-up failure names the Kamelet
            throw new IllegalArgumentException("kamelet " + SelfhealKamelets.IDEMPOTENT_JDBC_SINK + ": "
                    + e.getMessage());
        }
    }

    @Override
    protected void doStart() {
        SelfhealKamelets.requireSelfheal(camelContext, SelfhealKamelets.IDEMPOTENT_JDBC_SINK);
        SelfhealIdempotency idempotency = SelfhealIdempotency.of(camelContext);
        String dsName = dataSource == null || dataSource.isBlank() ? SelfhealIdempotency.DATA_SOURCE_BEAN : dataSource;
        DataSource ds = camelContext.getRegistry().lookupByNameAndType(dsName, DataSource.class);
        if (ds == null && SelfhealIdempotency.DATA_SOURCE_BEAN.equals(dsName)) {
            ds = idempotency.dataSource();
        }
        if (ds == null) {
            throw new IllegalArgumentException("kamelet " + SelfhealKamelets.IDEMPOTENT_JDBC_SINK + ": parameter "
                    + DATA_SOURCE + ": no javax.sql.DataSource named '" + dsName + "' in the registry"
                    + nearestDataSource(dsName));
        }
        List<String> keys = SqlNames.columnList(KEY_COLUMNS, keyColumns);
        List<String> cols = SqlNames.columnList(COLUMNS, columns);
        IdempotentInsert insert = new IdempotentInsert(ds, table, keys, cols);
        DataSource target = ds;
        IdempotentJdbcSink built = new IdempotentJdbcSink(insert, dsName,
                IdempotentJdbcSink.RowSource.parse(ROW_FROM, rowFrom), cols,
                bool(createTable) ? row -> SinkTable.createIfAbsent(target, table, keys, cols, row) : null);
        idempotency.registerSink(name, insert);
        sink = built;
    }

    private String nearestDataSource(String wanted) {
        String lower = wanted.toLowerCase(Locale.ROOT);
        return camelContext.getRegistry().findByTypeWithName(DataSource.class).keySet().stream()
                .min(java.util.Comparator.comparingInt(n -> ConfigReader.levenshtein(n.toLowerCase(Locale.ROOT), lower)))
                .filter(n -> ConfigReader.levenshtein(n.toLowerCase(Locale.ROOT), lower) <= 3)
                .map(n -> " (did you mean '" + n + "'?)")
                .orElse("");
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        sink.process(exchange);
    }

    private static boolean bool(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false", "" -> false;
            default -> throw new IllegalArgumentException("parameter " + CREATE_TABLE + ": '" + value
                    + "' is not true or false");
        };
    }

    private static String text(Object o) {
        return o == null ? "" : o.toString().trim();
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    // the Kamelet's parameters, bound by Camel from the template's bean properties

    public void setName(String name) {
        this.name = name;
    }

    public void setTable(String table) {
        this.table = table;
    }

    public void setKeyColumns(String keyColumns) {
        this.keyColumns = keyColumns;
    }

    public void setColumns(String columns) {
        this.columns = columns;
    }

    public void setRowFrom(String rowFrom) {
        this.rowFrom = rowFrom;
    }

    public void setDataSource(String dataSource) {
        this.dataSource = dataSource;
    }

    public void setCreateTable(String createTable) {
        this.createTable = createTable;
    }
}
