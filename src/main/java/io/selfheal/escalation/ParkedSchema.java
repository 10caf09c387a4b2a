package io.selfheal.escalation;

import io.selfheal.jdbc.SqlDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The parked table: its DDL, its index, and the columns added since the first release, which a table created by an
 * earlier version gets when the store opens; and beside it the pollers table, where each running job's replay poller
 * records its polls (see {@link ReplayPoll}).
 */
final class ParkedSchema {
    private static final Logger LOG = LoggerFactory.getLogger(ParkedSchema.class);

    private final String table;
    private final SqlDialect dialect;

    ParkedSchema(String table, SqlDialect dialect) {
        this.table = table;
        this.dialect = dialect;
    }

    /** Creates the table and its index when missing, and adds the columns an older table lacks. */
    void ensure(JdbcTemplate jdbc) {
        jdbc.execute(createTable());
        jdbc.execute("CREATE INDEX IF NOT EXISTS " + table + "_status_ix ON " + table + " (status, upstream)");
        // H2, PostgreSQL and MariaDB all know ADD COLUMN IF NOT EXISTS. Only a missing one is altered: a store the
        // process may use but not alter opens as before.
        for (String column : addedColumns().split(", ")) {
            if (!hasColumn(jdbc, table, column.substring(0, column.indexOf(' ')))) {
                jdbc.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + column);
            }
        }
        ensurePollers(jdbc);
    }

    /** The table of the replay pollers' polls: {@code <table>_pollers}. */
    String pollersTable() {
        return table + "_pollers";
    }

    String createPollersTable() {
        return "CREATE TABLE IF NOT EXISTS " + pollersTable() + " ("
                + "instance VARCHAR(255) NOT NULL PRIMARY KEY, "
                + "polled_at " + dialect.timestampMillis() + " NOT NULL, "
                + "poll_interval_ms BIGINT NOT NULL, "
                + "stopped_at " + dialect.timestampMillis() + " NULL)";
    }

    /**
     * Creates the pollers table when missing. Without it the store still parks and replays (only the command line
     * cannot tell whether a job polls), so a store the process may use but not alter, created before this table
     * existed, still opens.
     */
    private void ensurePollers(JdbcTemplate jdbc) {
        if (hasColumn(jdbc, pollersTable(), "instance")) {
            return;
        }
        try {
            jdbc.execute(createPollersTable());
        } catch (DataAccessException e) {
            LOG.warn("could not create the table {} (the record of running jobs' replay polls; parked replay cannot "
                    + "tell whether a job polls this store): {}", pollersTable(), e.getMostSpecificCause().getMessage());
        }
    }

    String createTable() {
        return "CREATE TABLE IF NOT EXISTS " + table + " ("
                + "id " + dialect.identity() + ", "
                + "status VARCHAR(20) NOT NULL, "
                + "parked_at " + dialect.timestampMillis() + " NOT NULL, "
                + "updated_at " + dialect.timestampMillis() + " NOT NULL, "
                + "route_id VARCHAR(255), "
                + "failed_route_id VARCHAR(255), "
                + "endpoint " + dialect.text() + ", "
                + "from_endpoint " + dialect.text() + ", "
                + "upstream VARCHAR(255), "
                + "failure_class VARCHAR(20), "
                + "give_up_reason VARCHAR(40), "
                + "attempts INT, "
                + "summary " + dialect.text() + ", "
                + "exchange_id VARCHAR(255), "
                + "idempotency_key VARCHAR(255), "
                + "body " + dialect.bytes() + ", "
                + "body_size BIGINT NOT NULL, "
                + "headers " + dialect.longText() + ", "
                + "failure_context " + dialect.longText() + ", "
                + "replayed_from BIGINT, "
                + "reparked_as BIGINT, "
                + "replay_count INT NOT NULL, "
                + "replay_requested_at " + dialect.timestampMillis() + " NULL, "
                + "replay_requested_by VARCHAR(255), "
                + "replay_target " + dialect.text() + ", "
                + "replay_max_attempts INT, "
                + "replay_max_duration_ms BIGINT, "
                + "replayed_at " + dialect.timestampMillis() + " NULL, "
                + "last_replay_error " + dialect.text() + ", "
                + "discarded_at " + dialect.timestampMillis() + " NULL, "
                + "discarded_by VARCHAR(255), "
                + "discard_reason " + dialect.text() + ", "
                + addedColumns() + ")";
    }

    /** Columns added after the first release, with their types: created with the table, or added to an older one. */
    private String addedColumns() {
        return "reentry_step VARCHAR(255), failure_headers " + dialect.longText() + ", failure_body " + dialect.longText()
                + ", body_type VARCHAR(255), run_id VARCHAR(64)";
    }

    private static boolean hasColumn(JdbcTemplate jdbc, String table, String column) {
        try {
            jdbc.execute("SELECT " + column + " FROM " + table + " WHERE 1 = 0");
            return true;
        } catch (DataAccessException e) {
            return false;
        }
    }
}
