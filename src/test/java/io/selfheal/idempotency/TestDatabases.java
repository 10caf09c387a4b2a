package io.selfheal.idempotency;

import org.h2.jdbcx.JdbcDataSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/** The real databases of the test machines (127.0.0.1), and small helpers; table names start with "idem_". */
public enum TestDatabases {
    H2("jdbc:h2:mem:idem-tests;DB_CLOSE_DELAY=-1", "", ""),
    POSTGRESQL("jdbc:postgresql://127.0.0.1:5432/test", "postgres", ""),
    MARIADB("jdbc:mariadb://127.0.0.1:3306/test", "root", "");

    public final String url;
    public final String user;
    public final String password;

    TestDatabases(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** A plain (unpooled) data source: each call connects, as a user's simple DataSource bean would. */
    public DataSource dataSource() {
        try {
            return switch (this) {
                case H2 -> {
                    JdbcDataSource ds = new JdbcDataSource();
                    ds.setURL(url);
                    yield ds;
                }
                case POSTGRESQL -> {
                    PGSimpleDataSource ds = new PGSimpleDataSource();
                    ds.setUrl(url);
                    ds.setUser(user);
                    yield ds;
                }
                case MARIADB -> {
                    MariaDbDataSource ds = new MariaDbDataSource(url);
                    ds.setUser(user);
                    ds.setPassword(password);
                    yield ds;
                }
            };
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A table name unique to one test run, so parallel runs and helpers never collide. */
    public static String uniqueTable(String what) {
        return ("idem_" + what + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    }

    public void exec(String sql) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public long count(String sql) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public void dropQuietly(String table) {
        try {
            exec("DROP TABLE IF EXISTS " + table);
        } catch (RuntimeException e) {
            // best effort
        }
    }
}
