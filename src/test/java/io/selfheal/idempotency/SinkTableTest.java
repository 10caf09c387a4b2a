package io.selfheal.idempotency;

import io.selfheal.jdbc.SqlDialect;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The column types the sink's createTable takes from the first row. */
class SinkTableTest {
    private static Map<String, Object> row() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("order_id", "o-1");
        row.put("qty", 3);
        row.put("amount", new BigDecimal("10.50"));
        row.put("paid", true);
        row.put("note", null);
        return row;
    }

    @Test
    void typesComeFromTheFirstRowsValues() {
        Map<String, Object> row = row();
        assertThat(SinkTable.ddl(SqlDialect.POSTGRESQL, "orders", List.of("order_id"), row.keySet(), row))
                .isEqualTo("CREATE TABLE IF NOT EXISTS orders (order_id VARCHAR(255) NOT NULL, qty BIGINT, "
                        + "amount DECIMAL(38,10), paid BOOLEAN, note TEXT, PRIMARY KEY (order_id))");
        assertThat(SinkTable.ddl(SqlDialect.H2, "orders", List.of("order_id"), row.keySet(), row))
                .contains("note VARCHAR(4000)");
        assertThat(SinkTable.ddl(SqlDialect.MARIADB, "orders", List.of("order_id"), row.keySet(), row))
                .contains("note TEXT");
    }

    @Test
    void configuredColumnsWinAndAnAbsentValueIsText() {
        assertThat(SinkTable.ddl(SqlDialect.H2, "s.orders", List.of("order_id", "region"),
                List.of("order_id", "region", "qty"), Map.of("order_id", 7, "qty", 1)))
                .isEqualTo("CREATE TABLE IF NOT EXISTS s.orders (order_id BIGINT NOT NULL, region VARCHAR(255) NOT NULL,"
                        + " qty BIGINT, PRIMARY KEY (order_id, region))");
    }

    @Test
    void aFirstRowWithoutTheKeyCreatesNothing() {
        Map<String, Object> row = Map.of("customer", "ada");
        assertThatThrownBy(() -> SinkTable.ddl(SqlDialect.H2, "orders", List.of("order_id"), row.keySet(), row))
                .hasMessage("Key column 'order_id' is missing in the row that would create table orders (row has "
                        + "[customer])");
    }

    @Test
    void aNameFromTheMessageCannotChangeTheStatement() {
        Map<String, Object> row = Map.of("order_id", 1, "x INT); DROP TABLE orders; --", 2);
        assertThatThrownBy(() -> SinkTable.ddl(SqlDialect.H2, "orders", List.of("order_id"), row.keySet(), row))
                .hasMessageContaining("Invalid column name");
    }
}
