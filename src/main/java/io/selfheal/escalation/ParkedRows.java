package io.selfheal.escalation;

import org.springframework.jdbc.core.RowMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** Rows of the parked table as {@link ParkedMessage}s. Timestamps are stored in UTC. */
final class ParkedRows {
    /** Every column but the body, which only a single record's lookup loads. */
    static final String COLUMNS_WITHOUT_BODY = "id, status, parked_at, updated_at, route_id, failed_route_id, endpoint, "
            + "from_endpoint, upstream, failure_class, give_up_reason, attempts, summary, exchange_id, idempotency_key, "
            + "body_size, headers, failure_context, replayed_from, reparked_as, replay_count, replay_requested_at, "
            + "replay_requested_by, replay_target, replay_max_attempts, replay_max_duration_ms, replayed_at, "
            + "last_replay_error, discarded_at, discarded_by, discard_reason, reentry_step, failure_headers, failure_body, body_type, run_id";
    static final RowMapper<ParkedMessage> WITH_BODY = (rs, n) -> row(rs, true);
    static final RowMapper<ParkedMessage> WITHOUT_BODY = (rs, n) -> row(rs, false);

    private ParkedRows() {
    }

    private static ParkedMessage row(ResultSet rs, boolean withBody) throws SQLException {
        return new ParkedMessage(
                rs.getLong("id"),
                ParkedStatus.valueOf(rs.getString("status")),
                instant(rs, "parked_at"),
                instant(rs, "updated_at"),
                rs.getString("route_id"),
                rs.getString("failed_route_id"),
                rs.getString("endpoint"),
                rs.getString("from_endpoint"),
                rs.getString("upstream"),
                rs.getString("failure_class"),
                rs.getString("give_up_reason"),
                rs.getInt("attempts"),
                rs.getString("summary"),
                rs.getString("exchange_id"),
                rs.getString("idempotency_key"),
                withBody ? rs.getBytes("body") : null,
                rs.getLong("body_size"),
                rs.getString("headers"),
                rs.getString("failure_context"),
                nullableLong(rs, "replayed_from"),
                nullableLong(rs, "reparked_as"),
                rs.getInt("replay_count"),
                instant(rs, "replay_requested_at"),
                rs.getString("replay_requested_by"),
                rs.getString("replay_target"),
                nullableInt(rs, "replay_max_attempts"),
                nullableLong(rs, "replay_max_duration_ms"),
                instant(rs, "replayed_at"),
                rs.getString("last_replay_error"),
                instant(rs, "discarded_at"),
                rs.getString("discarded_by"),
                rs.getString("discard_reason"),
                rs.getString("reentry_step"),
                rs.getString("failure_headers"),
                rs.getString("failure_body"),
                rs.getString("body_type"),
                rs.getString("run_id"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime t = rs.getObject(column, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }
}
