package io.selfheal.runs;

import io.selfheal.json.Json;
import io.selfheal.retry.GiveUpReason;
import org.springframework.jdbc.core.RowMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Rows of the runs table as {@link JobRun}s. The counts a run's process writes and the replays that delivered its
 * parked records are two columns, so neither overwrites the other; a run's counts are the first with the second
 * applied. Timestamps are stored in UTC.
 */
final class RunRows {
    static final String COLUMNS = "run_id, job, instance_id, trigger_time, started_at, ended_at, state, outcome, counts, "
            + "replayed, failure, attempts, heartbeat_at";
    static final RowMapper<JobRun> RUN = (rs, n) -> row(rs);

    private RunRows() {
    }

    private static JobRun row(ResultSet rs) throws SQLException {
        RunCounts counts = withReplays(RunCounts.fromJson(rs.getString("counts")), replays(rs.getString("replayed")));
        String outcome = rs.getString("outcome");
        return new JobRun(rs.getString("job"), rs.getString("run_id"), rs.getString("instance_id"),
                instant(rs, "trigger_time"), instant(rs, "started_at"), Optional.ofNullable(instant(rs, "ended_at")),
                RunState.valueOf(rs.getString("state")),
                outcome == null ? Optional.empty() : Optional.of(RunOutcome.valueOf(outcome)), counts,
                Optional.ofNullable(rs.getString("failure")), rs.getInt("attempts"), instant(rs, "heartbeat_at"));
    }

    /**
     * The counts with each replayed delivery moved from parked to delivered later. A replay recorded while the run
     * was still running may name a record its process had not yet counted as parked: it moves at most what is parked.
     */
    static RunCounts withReplays(RunCounts counts, Map<GiveUpReason, Long> replays) {
        RunCounts out = counts;
        for (Map.Entry<GiveUpReason, Long> e : replays.entrySet()) {
            out = out.replayDelivered(e.getKey(), Math.min(e.getValue(), out.parked(e.getKey())));
        }
        return out;
    }

    static Map<GiveUpReason, Long> replays(String json) {
        Map<GiveUpReason, Long> out = new EnumMap<>(GiveUpReason.class);
        if (json == null || json.isBlank()) {
            return out;
        }
        Json.readObject(json).forEach((reason, n) -> {
            try {
                out.put(GiveUpReason.valueOf(reason), ((Number) n).longValue());
            } catch (IllegalArgumentException | ClassCastException e) {
                // a reason a newer version wrote: left out, as RunCounts leaves it out
            }
        });
        return out;
    }

    static String replaysJson(Map<GiveUpReason, Long> replays) {
        Map<String, Object> out = new LinkedHashMap<>();
        replays.forEach((r, n) -> out.put(r.name(), n));
        return Json.write(out);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime t = rs.getObject(column, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }
}
