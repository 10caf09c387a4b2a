package io.selfheal.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import javax.sql.DataSource;

/**
 * Quartz's job store tables on PostgreSQL, created on first start from the DDL the Quartz jar ships
 * ({@value #DDL}), with the configured prefix in place of {@code qrtz_}. Instances that start together take a
 * transaction-scoped advisory lock first, so one creates the tables and the others find them: PostgreSQL's DDL is
 * transactional, so nobody ever sees half of them.
 */
public final class QuartzTables {
    /** Quartz's PostgreSQL DDL, a resource of the quartz jar. */
    public static final String DDL = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";
    /** The advisory lock key of the creation: any constant both sides agree on ("selfheal_qrtz" as bytes). */
    private static final long LOCK_KEY = 0x5345_4c46_5154_5a00L;
    private static final Pattern QUARTZ_PREFIX = Pattern.compile("(?i)qrtz_");

    private final DataSource database;
    private final String prefix;

    /** The tables of {@code prefix} in {@code database} (the job store's own pool). */
    public QuartzTables(DataSource database, String prefix) {
        this.database = database;
        this.prefix = prefix;
    }

    /** The statements that create the tables and indexes, prefixed; the DDL's DROPs and COMMIT are left out. */
    public List<String> createStatements() {
        List<String> out = new ArrayList<>();
        for (String raw : ddl().split(";")) {
            StringBuilder sql = new StringBuilder();
            for (String line : raw.split("\n")) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("--")) {
                    sql.append(l).append('\n');
                }
            }
            String statement = sql.toString().strip();
            String upper = statement.toUpperCase(Locale.ROOT);
            if (upper.startsWith("CREATE ")) {
                out.add(QUARTZ_PREFIX.matcher(statement).replaceAll(prefix));
            }
        }
        return out;
    }

    /** The name of the table Quartz keeps its triggers in, as created. */
    public String triggersTable() {
        return prefix + "triggers";
    }

    /**
     * Creates the tables unless they exist; returns whether this call created them. Safe to call from several
     * instances at once.
     */
    public boolean createIfAbsent() throws SQLException {
        try (Connection c = database.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, LOCK_KEY);
                    lock.execute();
                }
                if (exists(c, prefix + "job_details")) {
                    c.rollback();
                    return false;
                }
                try (Statement s = c.createStatement()) {
                    for (String statement : createStatements()) {
                        s.execute(statement);
                    }
                }
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Drops the tables (tests, and a schedule given up on purpose). */
    public void drop() throws SQLException {
        try (Connection c = database.getConnection();
             Statement s = c.createStatement()) {
            for (String table : List.of("fired_triggers", "paused_trigger_grps", "scheduler_state", "locks",
                    "simple_triggers", "cron_triggers", "simprop_triggers", "blob_triggers", "triggers", "job_details",
                    "calendars")) {
                s.execute("DROP TABLE IF EXISTS " + prefix + table);
            }
        }
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            q.setString(1, table);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static String ddl() {
        try (InputStream in = QuartzTables.class.getClassLoader().getResourceAsStream(DDL)) {
            if (in == null) {
                throw new IllegalStateException("Quartz's DDL " + DDL + " is not on the class path: is the quartz jar"
                        + " (org.quartz-scheduler:quartz, brought by camel-quartz) there?");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
