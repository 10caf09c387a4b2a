package io.selfheal.runs;

import io.selfheal.config.Durations;
import io.selfheal.jdbc.JdbcSettings;
import io.selfheal.jdbc.PooledDataSource;
import io.selfheal.jdbc.SqlDialect;
import io.selfheal.retry.GiveUpReason;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementSetter;
import org.springframework.jdbc.support.SQLExceptionSubclassTranslator;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The record of every run of every job: one JDBC table in the parked store's database (H2, PostgreSQL or MariaDB;
 * {@link RunSchema}, created when missing; rows read by {@link RunRows}). Several instances may share it: every change
 * of a row is one conditional UPDATE (on its state, or on its version where the new value is computed from the old),
 * so two instances can never both end, abandon or move one run. Timestamps are stored in UTC, to the millisecond.
 * <p>
 * The process that runs a run writes its counts ({@link #updateCounts}, {@link #end}); replays of its parked records
 * go to a column of their own ({@link #deliveredByReplay}), so neither overwrites the other.
 */
public final class RunStore implements AutoCloseable {
    public static final String DEFAULT_TABLE = "selfheal_runs";
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,50}");
    /** Tries of an update computed from a row another instance changed meanwhile; each loses only to a real change. */
    private static final int MAX_CONFLICTS = 100;

    private final JdbcSettings settings;
    private final String table;
    private final String instanceId;
    private final Clock clock;
    private final SqlDialect dialect;
    private final PooledDataSource pool;
    private final JdbcTemplate jdbc;

    /**
     * @param instanceId the process, stable across its restarts (a host name, a pod name): at start, this instance's
     *                   runs still RUNNING are its own interrupted ones ({@link #abandonOwnRuns()})
     */
    public RunStore(JdbcSettings settings, String table, String instanceId, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (!TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("invalid runs table name '" + table
                    + "': letters, digits and underscores, starting with a letter or underscore, at most 51");
        }
        if (instanceId == null || instanceId.isBlank() || instanceId.length() > 255) {
            throw new IllegalArgumentException("an instance id is 1 to 255 characters: " + instanceId);
        }
        this.table = table;
        this.instanceId = instanceId;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.dialect = settings.dialect().orElseThrow(() -> new IllegalArgumentException(
                "unsupported database for the run store: " + settings.describeUrl()));
        this.pool = new PooledDataSource(settings, "selfheal-runs");
        this.jdbc = new JdbcTemplate(pool);
        this.jdbc.setExceptionTranslator(new SQLExceptionSubclassTranslator());
        try {
            ensureSchema();
        } catch (DataAccessException e) {
            pool.close();
            throw new RunStoreException("cannot open the run store at " + settings.describeUrl() + " (table " + table
                    + "): " + reason(e), sqlCause(e));
        }
    }

    /** Two instances starting at once may both create the table; the one that loses finds it there on its second try. */
    private void ensureSchema() {
        try {
            new RunSchema(table, dialect).ensure(jdbc);
        } catch (DataAccessException first) {
            new RunSchema(table, dialect).ensure(jdbc);
        }
    }

    public String instanceId() {
        return instanceId;
    }

    /**
     * Records a new run of {@code job} on this instance, RUNNING, attempt 1.
     *
     * @throws RunInProgressException when this job has a RUNNING run on this instance
     */
    public JobRun begin(String job, Instant triggerTime) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(triggerTime, "triggerTime");
        if (job.isBlank() || job.length() > 255) {
            throw new IllegalArgumentException("a job name is 1 to 255 characters: '" + job + "'");
        }
        String runId = UUID.randomUUID().toString();
        LocalDateTime now = now();
        // PostgreSQL absorbs the conflict (0 rows, no ERROR line in the server's log); H2 and MariaDB report it
        String onConflict = dialect == SqlDialect.POSTGRESQL ? " ON CONFLICT (running_key) DO NOTHING" : "";
        int inserted;
        try {
            inserted = jdbc.update("INSERT INTO " + table + " (run_id, job, instance_id, running_key, trigger_time, "
                    + "started_at, state, counts, attempts, heartbeat_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, 0)"
                    + onConflict, ps -> {
                ps.setString(1, runId);
                ps.setString(2, job);
                ps.setString(3, instanceId);
                ps.setString(4, runningKey(job));
                ps.setObject(5, utc(triggerTime));
                ps.setObject(6, now);
                ps.setString(7, RunState.RUNNING.name());
                ps.setString(8, RunCounts.EMPTY.toJson());
                ps.setObject(9, now);
            });
        } catch (DataAccessException e) {
            if (sqlCause(e) instanceof SQLException s && dialect.isDuplicateKey(s)) {
                throw new RunInProgressException(job, instanceId);
            }
            throw failed("could not record a run of " + job, e);
        }
        if (inserted == 0) {
            throw new RunInProgressException(job, instanceId);
        }
        return find(runId).orElseThrow(() -> new RunStoreException("the run " + runId + " was not found after it "
                + "was recorded", null));
    }

    /** While the run is RUNNING: a sign of life; false when it is over (ended, or abandoned by another instance). */
    public boolean heartbeat(String runId) {
        return update("UPDATE " + table + " SET heartbeat_at = ? WHERE run_id = ? AND state = ?", ps -> {
            ps.setObject(1, now());
            ps.setString(2, runId);
            ps.setString(3, RunState.RUNNING.name());
        }) == 1;
    }

    /** While RUNNING: the counts so far (also a heartbeat); false when the run is over. */
    public boolean updateCounts(String runId, RunCounts counts) {
        return update("UPDATE " + table + " SET counts = ?, heartbeat_at = ? WHERE run_id = ? AND state = ?", ps -> {
            ps.setString(1, counts.toJson());
            ps.setObject(2, now());
            ps.setString(3, runId);
            ps.setString(4, RunState.RUNNING.name());
        }) == 1;
    }

    /**
     * While RUNNING: the run's first step gave up and the run starts again as a whole. Returns its attempts now, or
     * empty when the run is over.
     */
    public Optional<Integer> retryWhole(String runId) {
        int n = update("UPDATE " + table + " SET attempts = attempts + 1, heartbeat_at = ?, version = version + 1 "
                + "WHERE run_id = ? AND state = ?", ps -> {
            ps.setObject(1, now());
            ps.setString(2, runId);
            ps.setString(3, RunState.RUNNING.name());
        });
        return n == 1 ? find(runId).map(JobRun::attempts) : Optional.empty();
    }

    /**
     * Ends a RUNNING run with its final counts and the outcome they judge ({@link RunOutcome#judge}, replays of its
     * parked records included). {@code failure}, when not null, is why the run itself could not do its work: FAILED.
     * Empty when the run was not RUNNING (it ended already, or another instance found it abandoned).
     */
    public Optional<JobRun> end(String runId, RunCounts counts, String failure) {
        for (int i = 0; i < MAX_CONFLICTS; i++) {
            Optional<Versioned> row = versioned(runId);
            if (row.isEmpty() || row.get().state() != RunState.RUNNING) {
                return Optional.empty();
            }
            Versioned v = row.get();
            RunOutcome outcome = RunOutcome.judge(RunRows.withReplays(counts, v.replays()), v.attempts(), failure != null);
            LocalDateTime now = now();
            int n = update("UPDATE " + table + " SET state = ?, outcome = ?, ended_at = ?, heartbeat_at = ?, counts = ?, "
                    + "failure = ?, running_key = NULL, version = version + 1 WHERE run_id = ? AND state = ? "
                    + "AND version = ?", ps -> {
                ps.setString(1, RunState.ENDED.name());
                ps.setString(2, outcome.name());
                ps.setObject(3, now);
                ps.setObject(4, now);
                ps.setString(5, counts.toJson());
                ps.setString(6, cut(failure, 2000));
                ps.setString(7, runId);
                ps.setString(8, RunState.RUNNING.name());
                ps.setLong(9, v.version());
            });
            if (n == 1) {
                return find(runId);
            }
        }
        throw new RunStoreException("could not end run " + runId + ": it kept changing under " + MAX_CONFLICTS
                + " tries", null);
    }

    /**
     * A parked record of run {@code runId}, given up for {@code reason}, was delivered by a replay: the run's counts
     * move (parked one fewer, delivered later one more) and an ended PARTIAL run is judged again, so a run whose every
     * parked record was delivered becomes HEALED. FAILED and ABANDONED stay as they are (records delivered later do
     * not undo a run that could not do its work). Replays on several instances at once each count exactly once.
     * <p>
     * Empty when the run is unknown (purged), or when it ended and has no record of that reason parked any more (the
     * same delivery reported twice).
     */
    public Optional<JobRun> deliveredByReplay(String runId, GiveUpReason reason) {
        Objects.requireNonNull(reason, "reason");
        for (int i = 0; i < MAX_CONFLICTS; i++) {
            Optional<Versioned> row = versioned(runId);
            if (row.isEmpty()) {
                return Optional.empty();
            }
            Versioned v = row.get();
            Map<GiveUpReason, Long> replays = new EnumMap<>(GiveUpReason.class);
            replays.putAll(v.replays());
            long already = replays.getOrDefault(reason, 0L);
            if (v.state() == RunState.ENDED && v.counts().parked(reason) <= already) {
                return Optional.empty();
            }
            replays.put(reason, already + 1);
            RunOutcome outcome = v.outcome();
            if (outcome == RunOutcome.PARTIAL) {
                outcome = RunOutcome.judge(RunRows.withReplays(v.counts(), replays), v.attempts(), false);
            }
            RunOutcome judged = outcome;
            int n = update("UPDATE " + table + " SET replayed = ?, outcome = ?, version = version + 1 "
                    + "WHERE run_id = ? AND version = ?", ps -> {
                ps.setString(1, RunRows.replaysJson(replays));
                ps.setString(2, judged == null ? null : judged.name());
                ps.setString(3, runId);
                ps.setLong(4, v.version());
            });
            if (n == 1) {
                return find(runId);
            }
        }
        throw new RunStoreException("could not record a replay of run " + runId + ": it kept changing under "
                + MAX_CONFLICTS + " tries", null);
    }

    /**
     * Runs of any instance whose last heartbeat is older than {@code timeout}: their process died (or lost the
     * database for that long). Each becomes ENDED and ABANDONED, its end its last heartbeat; returns the runs this call
     * marked (another instance marking the same run at once marks it, not both). Clocks of instances that share the
     * database are compared: keep them in sync well within {@code timeout}.
     */
    public List<JobRun> abandonStale(Duration timeout) {
        LocalDateTime cutoff = utc(clock.instant().minus(timeout));
        List<String> ids = ids("SELECT run_id FROM " + table + " WHERE state = ? AND heartbeat_at < ? ORDER BY started_at",
                ps -> {
                    ps.setString(1, RunState.RUNNING.name());
                    ps.setObject(2, cutoff);
                });
        List<JobRun> out = new ArrayList<>();
        for (String id : ids) {
            Optional<JobRun> run = find(id);
            String why = "instance " + run.map(JobRun::instanceId).orElse("?") + " sent no heartbeat for over "
                    + Durations.human(timeout) + " (found by " + instanceId + ")";
            if (abandon(" AND heartbeat_at < ?", id, why, cutoff)) {
                find(id).ifPresent(out::add);
            }
        }
        return out;
    }

    /**
     * At this instance's start: its runs still RUNNING were cut short when it stopped, and become ABANDONED. Returns
     * them.
     */
    public List<JobRun> abandonOwnRuns() {
        List<String> ids = ids("SELECT run_id FROM " + table + " WHERE state = ? AND instance_id = ? ORDER BY started_at",
                ps -> {
                    ps.setString(1, RunState.RUNNING.name());
                    ps.setString(2, instanceId);
                });
        List<JobRun> out = new ArrayList<>();
        for (String id : ids) {
            if (abandon(" AND instance_id = ?", id, "instance " + instanceId + " stopped while the run was in progress",
                    instanceId)) {
                find(id).ifPresent(out::add);
            }
        }
        return out;
    }

    /** Marks one RUNNING run ABANDONED if it still meets {@code condition} (one more parameter, {@code value}). */
    private boolean abandon(String condition, String runId, String why, Object value) {
        return update("UPDATE " + table + " SET state = ?, outcome = ?, ended_at = heartbeat_at, failure = ?, "
                + "running_key = NULL, version = version + 1 WHERE run_id = ? AND state = ?" + condition, ps -> {
            ps.setString(1, RunState.ENDED.name());
            ps.setString(2, RunOutcome.ABANDONED.name());
            ps.setString(3, cut(why, 2000));
            ps.setString(4, runId);
            ps.setString(5, RunState.RUNNING.name());
            ps.setObject(6, value);
        }) == 1;
    }

    public Optional<JobRun> find(String runId) {
        return runs("SELECT " + RunRows.COLUMNS + " FROM " + table + " WHERE run_id = ?", ps -> ps.setString(1, runId))
                .stream().findFirst();
    }

    /** The runs of a job, newest first. */
    public List<JobRun> runsOf(String job, int limit) {
        return runs("SELECT " + RunRows.COLUMNS + " FROM " + table + " WHERE job = ? ORDER BY started_at DESC, run_id DESC",
                ps -> {
                    ps.setString(1, job);
                    ps.setMaxRows(Math.max(1, limit));
                });
    }

    /** The runs of a job started at or after {@code since}, newest first (what {@link JobHealth} reads). */
    public List<JobRun> runsSince(String job, Instant since) {
        return runs("SELECT " + RunRows.COLUMNS + " FROM " + table + " WHERE job = ? AND started_at >= ? "
                + "ORDER BY started_at DESC, run_id DESC", ps -> {
            ps.setString(1, job);
            ps.setObject(2, utc(since));
        });
    }

    /** Every job with its newest run, by job name. */
    public Map<String, JobRun> lastRuns() {
        List<JobRun> rows = runs("SELECT " + RunRows.COLUMNS + " FROM " + table + " r WHERE r.started_at = "
                + "(SELECT MAX(s.started_at) FROM " + table + " s WHERE s.job = r.job) ORDER BY job, run_id", ps -> {
        });
        Map<String, JobRun> out = new LinkedHashMap<>();
        for (JobRun run : rows) {
            out.putIfAbsent(run.job(), run); // two runs started in the same millisecond: either is the last
        }
        return out;
    }

    /**
     * Deletes the ended runs (of {@code job}, or of every job when null) that ended more than {@code retention} ago;
     * returns how many. RUNNING runs are never deleted.
     */
    public int purgeEnded(String job, Duration retention) {
        LocalDateTime cutoff = utc(clock.instant().minus(retention));
        return update("DELETE FROM " + table + " WHERE state = ? AND ended_at < ?" + (job == null ? "" : " AND job = ?"),
                ps -> {
                    ps.setString(1, RunState.ENDED.name());
                    ps.setObject(2, cutoff);
                    if (job != null) {
                        ps.setString(3, job);
                    }
                });
    }

    @Override
    public void close() {
        pool.close();
    }

    /** A row as an update computed from it needs it. */
    private record Versioned(RunState state, RunOutcome outcome, RunCounts counts, Map<GiveUpReason, Long> replays,
                             int attempts, long version) {
    }

    private Optional<Versioned> versioned(String runId) {
        try {
            return jdbc.query("SELECT state, outcome, counts, replayed, attempts, version FROM " + table
                    + " WHERE run_id = ?", ps -> ps.setString(1, runId), (rs, n) -> {
                String outcome = rs.getString("outcome");
                return new Versioned(RunState.valueOf(rs.getString("state")),
                        outcome == null ? null : RunOutcome.valueOf(outcome), RunCounts.fromJson(rs.getString("counts")),
                        RunRows.replays(rs.getString("replayed")), rs.getInt("attempts"), rs.getLong("version"));
            }).stream().findFirst();
        } catch (DataAccessException e) {
            throw failed("run store query failed", e);
        }
    }

    /** The running key: instance and job, unambiguous whatever either holds. */
    private String runningKey(String job) {
        return instanceId.length() + ":" + instanceId + job;
    }

    private LocalDateTime now() {
        return utc(Instant.ofEpochMilli(clock.millis()));
    }

    private static LocalDateTime utc(Instant t) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(t.toEpochMilli()), ZoneOffset.UTC);
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private int update(String sql, PreparedStatementSetter binder) {
        try {
            return jdbc.update(sql, binder);
        } catch (DataAccessException e) {
            throw failed("run store update failed", e);
        }
    }

    private List<String> ids(String sql, PreparedStatementSetter binder) {
        try {
            return jdbc.query(sql, binder, (rs, n) -> rs.getString(1));
        } catch (DataAccessException e) {
            throw failed("run store query failed", e);
        }
    }

    private List<JobRun> runs(String sql, PreparedStatementSetter binder) {
        try {
            return jdbc.query(sql, binder, RunRows.RUN);
        } catch (DataAccessException e) {
            throw failed("run store query failed", e);
        }
    }

    private RunStoreException failed(String what, DataAccessException e) {
        return new RunStoreException(what + " (" + settings.describeUrl() + ", table " + table + "): " + reason(e),
                sqlCause(e));
    }

    /** The database's own words, not Spring's wrapping of them (which quotes the SQL). */
    private static String reason(RuntimeException e) {
        return sqlCause(e).getMessage();
    }

    private static Throwable sqlCause(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException) {
                return t;
            }
        }
        return e;
    }
}
