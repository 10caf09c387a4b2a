package io.selfheal.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/** Helpers for the escalation tests: private parked stores, their databases, free ports. */
public final class EscalationTests {
    public static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String MARIADB_URL = "jdbc:mariadb://127.0.0.1:3306/test";

    private EscalationTests() {
    }

    /** A private in-memory H2 parked store and a table name unique to this test. */
    public static Map<String, String> h2Store() {
        return Map.of("selfheal.parked.url", "jdbc:h2:mem:esc-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "selfheal.parked.table", uniqueTable());
    }

    public static String uniqueTable() {
        return "esc_parked_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public static void dropTable(String url, String user, String table) {
        try (Connection c = DriverManager.getConnection(url, user, "");
             Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("DROP TABLE IF EXISTS " + table + "_pollers");
        } catch (SQLException e) {
            // best effort: the names are unique
        }
    }
}
