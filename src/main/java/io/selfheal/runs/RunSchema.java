package io.selfheal.runs;

import io.selfheal.jdbc.SqlDialect;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The runs table: its DDL and indexes. {@code running_key} holds instance and job while a run is RUNNING and is
 * NULL once it ended; its unique index (NULLs never collide, on all three databases) is what refuses a second run of
 * one job on one instance, atomically. A column added later goes in with {@code ADD COLUMN IF NOT EXISTS}, as the
 * parked table's do.
 */
final class RunSchema {
    private final String table;
    private final SqlDialect dialect;

    RunSchema(String table, SqlDialect dialect) {
        this.table = table;
        this.dialect = dialect;
    }

    void ensure(JdbcTemplate jdbc) {
        String ts = dialect.timestampMillis();
        jdbc.execute("CREATE TABLE IF NOT EXISTS " + table + " ("
                + "run_id VARCHAR(64) NOT NULL PRIMARY KEY, "
                + "job VARCHAR(255) NOT NULL, "
                + "instance_id VARCHAR(255) NOT NULL, "
                + "running_key VARCHAR(520), "
                + "trigger_time " + ts + " NOT NULL, "
                + "started_at " + ts + " NOT NULL, "
                + "ended_at " + ts + " NULL, "
                + "state VARCHAR(10) NOT NULL, "
                + "outcome VARCHAR(12), "
                + "counts " + dialect.longText() + " NOT NULL, "
                + "replayed " + dialect.text() + ", "
                + "failure " + dialect.text() + ", "
                + "attempts INT NOT NULL, "
                + "heartbeat_at " + ts + " NOT NULL, "
                + "version BIGINT NOT NULL)");
        jdbc.execute("CREATE UNIQUE INDEX IF NOT EXISTS " + table + "_running_ux ON " + table + " (running_key)");
        jdbc.execute("CREATE INDEX IF NOT EXISTS " + table + "_job_ix ON " + table + " (job, started_at)");
        jdbc.execute("CREATE INDEX IF NOT EXISTS " + table + "_state_ix ON " + table + " (state, heartbeat_at)");
        jdbc.execute("CREATE INDEX IF NOT EXISTS " + table + "_started_ix ON " + table + " (started_at)");
    }
}
