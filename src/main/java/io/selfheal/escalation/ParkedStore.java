package io.selfheal.escalation;

import io.selfheal.config.Durations;
import io.selfheal.jdbc.PooledDataSource;
import io.selfheal.jdbc.SqlDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataRetrievalFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementSetter;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.SQLExceptionSubclassTranslator;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The durable store of given-up messages: one JDBC table on H2 (default, a file under ./data), PostgreSQL or MariaDB
 * ({@link ParkedSchema}, created when missing; rows read by {@link ParkedRows}). Status changes are conditional
 * updates, so two replays or a replay and a discard of one record never both win. Timestamps are stored in UTC.
 */
public final class ParkedStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParkedStore.class);

    private final ParkedSettings config;
    private final SqlDialect dialect;
    private final String table;
    private final String pollers;
    private final PooledDataSource pool;
    private volatile boolean closed;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final Clock clock;

    public ParkedStore(ParkedSettings config, Clock clock) {
        this.config = config;
        this.dialect = config.jdbc().dialect().orElseThrow(() -> new ParkingException("unsupported database for the "
                + "parked store: " + config.describeUrl()));
        this.table = config.table();
        this.pool = new PooledDataSource(config.jdbc(), "selfheal-parked");
        // the pool would open again when used after close(): a closed store refuses instead, so a message given up
        // after it closed fails its exchange and stays with its source
        DataSource whileOpen = new DelegatingDataSource(pool) {
            @Override
            public Connection getConnection() throws SQLException {
                if (closed) {
                    throw new SQLException("the parked store is closed");
                }
                return super.getConnection();
            }
        };
        this.jdbc = new JdbcTemplate(whileOpen);
        // translation by SQLException subclass: no lookup of the database's error codes (no extra connection)
        this.jdbc.setExceptionTranslator(new SQLExceptionSubclassTranslator());
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(whileOpen));
        this.clock = clock;
        ParkedSchema schema = new ParkedSchema(table, dialect);
        this.pollers = schema.pollersTable();
        try {
            schema.ensure(jdbc);
        } catch (DataAccessException e) {
            pool.close();
            throw new ParkingException("cannot open the parked store at " + config.describeUrl() + " (table " + table
                    + "): " + reason(e), sqlCause(e));
        }
    }

    public ParkedSettings config() {
        return config;
    }

    /** What {@link #parkOnce} did: the record's id, and whether that record already held this very message. */
    public record Parked(long id, boolean alreadyParked) {
    }

    /** {@link #parkOnce}, returning only the record's id. */
    public long park(ParkRequest r) {
        return parkOnce(r).id();
    }

    /**
     * Stores a given-up message and returns its id. For a replay that failed again ({@code replayedFrom} set), the
     * earlier record becomes REPARKED with a link to the new one, in the same transaction. A message already waiting
     * in the store (the same route, Idempotency-Key and body: its source delivered it again after a crash) is not
     * stored twice: the answer then names the record that holds it.
     *
     * @throws BodyTooLargeException above selfheal.parked.max-body-size (nothing is stored)
     * @throws ParkingException      when the database refuses
     */
    public Parked parkOnce(ParkRequest r) {
        long size = r.body() == null ? 0 : r.body().length;
        if (size > config.maxBodySize()) {
            throw new BodyTooLargeException(size, config.maxBodySize());
        }
        GiveUp g = r.giveUp();
        try {
            Parked parked = transaction.execute(tx -> {
                Long waiting = r.replayedFrom() == null ? waitingCopy(r, g) : null;
                if (waiting != null) {
                    return new Parked(waiting, true);
                }
                LocalDateTime now = now();
                long id = insert(r, g, size, now);
                if (r.replayedFrom() != null) {
                    jdbc.update("UPDATE " + table + " SET status = ?, reparked_as = ?, replayed_at = ?, updated_at = ?, "
                            + "replay_count = replay_count + 1 WHERE id = ? AND status = ?", ps -> {
                        ps.setString(1, ParkedStatus.REPARKED.name());
                        ps.setLong(2, id);
                        ps.setObject(3, now);
                        ps.setObject(4, now);
                        ps.setLong(5, r.replayedFrom());
                        ps.setString(6, ParkedStatus.REPLAYING.name());
                    });
                }
                return new Parked(id, false);
            });
            if (parked.alreadyParked()) {
                LOG.info("already parked as #{}: the same message (route {}, idempotency key {}, same body) is still "
                        + "waiting there; its source delivered it again (after a crash), so it is not parked twice",
                        parked.id(), r.routeId(), g.idempotencyKey());
            }
            return parked;
        } catch (DataAccessException | TransactionException e) {
            throw new ParkingException("could not park the message in " + config.describeUrl() + " (table " + table
                    + "): " + reason(e), sqlCause(e));
        }
    }

    /** Inserts the record and returns its id. */
    private long insert(ParkRequest r, GiveUp g, long size, LocalDateTime now) {
        String sql = "INSERT INTO " + table + " (status, parked_at, updated_at, route_id, failed_route_id, endpoint, from_endpoint, "
                + "upstream, failure_class, give_up_reason, attempts, summary, exchange_id, idempotency_key, body, "
                + "body_size, headers, failure_context, replayed_from, reentry_step, failure_headers, failure_body, "
                + "body_type, run_id, replay_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                + "?, ?, 0)";
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(c -> {
            PreparedStatement ps = dialect == SqlDialect.POSTGRESQL
                    ? c.prepareStatement(sql, new String[]{"id"})
                    : c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
            int i = 1;
            ps.setString(i++, ParkedStatus.PARKED.name());
            ps.setObject(i++, now);
            ps.setObject(i++, now);
            ps.setString(i++, cut(r.routeId(), 255));
            ps.setString(i++, cut(g.routeId(), 255));
            ps.setString(i++, r.endpoint());
            ps.setString(i++, r.fromEndpoint());
            ps.setString(i++, cut(g.upstream(), 255));
            ps.setString(i++, g.failureClass().name());
            ps.setString(i++, g.reason().name());
            ps.setInt(i++, g.attempts());
            ps.setString(i++, g.summary());
            ps.setString(i++, cut(g.exchangeId(), 255));
            ps.setString(i++, cut(g.idempotencyKey(), 255));
            if (r.body() == null) {
                ps.setNull(i++, dialect == SqlDialect.POSTGRESQL ? Types.BINARY : Types.BLOB);
            } else {
                ps.setBytes(i++, r.body());
            }
            ps.setLong(i++, size);
            ps.setString(i++, r.headersJson());
            ps.setString(i++, g.toJson());
            if (r.replayedFrom() == null) {
                ps.setNull(i++, Types.BIGINT);
            } else {
                ps.setLong(i++, r.replayedFrom());
            }
            ps.setString(i++, cut(r.reentryStep(), 255));
            ps.setString(i++, r.failureHeadersJson());
            ps.setString(i++, r.failureBody());
            ps.setString(i++, cut(r.bodyType(), 255));
            ps.setString(i++, cut(r.runId(), 64));
            return ps;
        }, keys);
        // the first column of the first row: the id (MariaDB names it insert_id)
        return keys.getKeyList().stream().findFirst().flatMap(k -> k.values().stream().findFirst())
                .map(v -> ((Number) v).longValue())
                .orElseThrow(() -> new DataRetrievalFailureException("the database returned no id for the parked message"));
    }

    /**
     * The id of a record that already holds this very message and still waits (PARKED or REPLAY_REQUESTED): same
     * route, same idempotency key, same body. A source that delivers a message again after a crash between parking it
     * and forgetting it would otherwise park it twice, and two replays would follow. A message without a key, or a
     * replay that failed again, is always parked anew.
     */
    private Long waitingCopy(ParkRequest r, GiveUp g) {
        if (g.idempotencyKey() == null || r.routeId() == null) {
            return null;
        }
        return jdbc.query("SELECT id, body FROM " + table
                + " WHERE idempotency_key = ? AND route_id = ? AND status IN (?, ?) ORDER BY id", ps -> {
            ps.setString(1, cut(g.idempotencyKey(), 255));
            ps.setString(2, cut(r.routeId(), 255));
            ps.setString(3, ParkedStatus.PARKED.name());
            ps.setString(4, ParkedStatus.REPLAY_REQUESTED.name());
        }, rs -> {
            while (rs.next()) {
                byte[] body = rs.getBytes(2);
                if (Arrays.equals(body, r.body()) || (body != null && body.length == 0 && r.body() == null)) {
                    return rs.getLong(1);
                }
            }
            return null;
        });
    }

    public Optional<ParkedMessage> find(long id) {
        List<ParkedMessage> rows = query("SELECT " + ParkedRows.COLUMNS_WITHOUT_BODY + ", body FROM " + table
                + " WHERE id = ?", true, ps -> ps.setLong(1, id));
        return rows.stream().findFirst();
    }

    /** Newest first; {@code status} and {@code upstream} filter when not null. Bodies are not loaded. */
    public List<ParkedMessage> list(ParkedStatus status, String upstream, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + ParkedRows.COLUMNS_WITHOUT_BODY + " FROM " + table + " WHERE 1=1");
        if (status != null) {
            sql.append(" AND status = ?");
        }
        if (upstream != null) {
            sql.append(" AND upstream = ?");
        }
        sql.append(" ORDER BY id DESC");
        return query(sql.toString(), false, ps -> {
            int i = 1;
            if (status != null) {
                ps.setString(i++, status.name());
            }
            if (upstream != null) {
                ps.setString(i, upstream);
            }
            ps.setMaxRows(Math.max(1, limit));
        });
    }

    /** Ids of PARKED messages of an upstream given up for one of {@code reasons} (all reasons when null), oldest first. */
    public List<Long> parkedIds(String upstream, Collection<? extends Enum<?>> reasons, int limit) {
        StringBuilder sql = new StringBuilder("SELECT id FROM " + table + " WHERE status = ?");
        if (upstream != null) {
            sql.append(" AND upstream = ?");
        }
        List<String> names = reasons == null ? List.of() : reasons.stream().map(Enum::name).collect(Collectors.toList());
        if (reasons != null) {
            if (names.isEmpty()) {
                return List.of();
            }
            sql.append(" AND give_up_reason IN (").append(names.stream().map(n -> "?").collect(Collectors.joining(", ")))
                    .append(')');
        }
        sql.append(" ORDER BY id");
        return ids(sql.toString(), ps -> {
            int i = 1;
            ps.setString(i++, ParkedStatus.PARKED.name());
            if (upstream != null) {
                ps.setString(i++, upstream);
            }
            for (String n : names) {
                ps.setString(i++, n);
            }
            ps.setMaxRows(Math.max(1, limit));
        });
    }

    /** How many records are in each status (statuses with none are absent): the parked backlog. */
    public Map<ParkedStatus, Long> countByStatus() {
        try {
            return jdbc.query("SELECT status, COUNT(*) FROM " + table + " GROUP BY status", rs -> {
                Map<ParkedStatus, Long> out = new EnumMap<>(ParkedStatus.class);
                while (rs.next()) {
                    out.put(ParkedStatus.valueOf(rs.getString(1)), rs.getLong(2));
                }
                return out;
            });
        } catch (DataAccessException e) {
            throw queryFailed(e);
        }
    }

    /** Ids of the replays asked for from the command line, oldest first. */
    public List<Long> replayRequestedIds(int limit) {
        return ids("SELECT id FROM " + table + " WHERE status = ? ORDER BY id", ps -> {
            ps.setString(1, ParkedStatus.REPLAY_REQUESTED.name());
            ps.setMaxRows(Math.max(1, limit));
        });
    }

    /** Marks a PARKED record for replay by the running Selfheal; false when it is not PARKED. */
    public boolean requestReplay(long id, String requestedBy, String target, Integer maxAttempts, Duration maxDuration) {
        LocalDateTime now = now();
        return update("UPDATE " + table + " SET status = ?, replay_requested_at = ?, replay_requested_by = ?, "
                + "replay_target = ?, replay_max_attempts = ?, replay_max_duration_ms = ?, updated_at = ? "
                + "WHERE id = ? AND status = ?", ps -> {
            ps.setString(1, ParkedStatus.REPLAY_REQUESTED.name());
            ps.setObject(2, now);
            ps.setString(3, cut(requestedBy, 255));
            ps.setString(4, target);
            if (maxAttempts == null) {
                ps.setNull(5, Types.INTEGER);
            } else {
                ps.setInt(5, maxAttempts);
            }
            if (maxDuration == null) {
                ps.setNull(6, Types.BIGINT);
            } else {
                ps.setLong(6, maxDuration.toMillis());
            }
            ps.setObject(7, now);
            ps.setLong(8, id);
            ps.setString(9, ParkedStatus.PARKED.name());
        }) == 1;
    }

    /** Takes a PARKED or REPLAY_REQUESTED record for a replay; false when another replay or a discard came first. */
    public boolean claimForReplay(long id) {
        return update("UPDATE " + table + " SET status = ?, updated_at = ? WHERE id = ? AND status IN (?, ?)", ps -> {
            ps.setString(1, ParkedStatus.REPLAYING.name());
            ps.setObject(2, now());
            ps.setLong(3, id);
            ps.setString(4, ParkedStatus.PARKED.name());
            ps.setString(5, ParkedStatus.REPLAY_REQUESTED.name());
        }) == 1;
    }

    /** The replay was delivered. */
    public boolean markReplayed(long id) {
        LocalDateTime now = now();
        return update("UPDATE " + table + " SET status = ?, replayed_at = ?, updated_at = ?, "
                + "replay_count = replay_count + 1, last_replay_error = NULL WHERE id = ? AND status = ?", ps -> {
            ps.setString(1, ParkedStatus.REPLAYED.name());
            ps.setObject(2, now);
            ps.setObject(3, now);
            ps.setLong(4, id);
            ps.setString(5, ParkedStatus.REPLAYING.name());
        }) == 1;
    }

    /** The replay failed without being parked again (its route has no self-healing, say): PARKED again, with why. */
    public boolean releaseAfterFailedReplay(long id, String error) {
        return update("UPDATE " + table + " SET status = ?, last_replay_error = ?, updated_at = ?, "
                + "replay_count = replay_count + 1, replay_target = NULL, replay_max_attempts = NULL, "
                + "replay_max_duration_ms = NULL WHERE id = ? AND status = ?", ps -> {
            ps.setString(1, ParkedStatus.PARKED.name());
            ps.setString(2, cut(error, 2000));
            ps.setObject(3, now());
            ps.setLong(4, id);
            ps.setString(5, ParkedStatus.REPLAYING.name());
        }) == 1;
    }

    /** Replays in flight for longer than {@code olderThan} were cut short by a crash: PARKED again. */
    public int releaseStaleReplays(Duration olderThan) {
        LocalDateTime cutoff = LocalDateTime.ofInstant(clock.instant().minus(olderThan), ZoneOffset.UTC);
        return update("UPDATE " + table + " SET status = ?, last_replay_error = ?, updated_at = ? "
                + "WHERE status = ? AND updated_at < ?", ps -> {
            ps.setString(1, ParkedStatus.PARKED.name());
            ps.setString(2, "replay interrupted: no outcome within " + Durations.human(olderThan));
            ps.setObject(3, now());
            ps.setString(4, ParkedStatus.REPLAYING.name());
            ps.setObject(5, cutoff);
        });
    }

    /** Accepts the loss of a PARKED or REPLAY_REQUESTED message; false when it is in another state or missing. */
    public boolean discard(long id, String by, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a discard needs a reason");
        }
        LocalDateTime now = now();
        return update("UPDATE " + table + " SET status = ?, discarded_at = ?, discarded_by = ?, discard_reason = ?, "
                + "updated_at = ? WHERE id = ? AND status IN (?, ?)", ps -> {
            ps.setString(1, ParkedStatus.DISCARDED.name());
            ps.setObject(2, now);
            ps.setString(3, cut(by, 255));
            ps.setString(4, cut(reason, 2000));
            ps.setObject(5, now);
            ps.setLong(6, id);
            ps.setString(7, ParkedStatus.PARKED.name());
            ps.setString(8, ParkedStatus.REPLAY_REQUESTED.name());
        }) == 1;
    }

    /**
     * Records a poll of the replay poller of the job {@code instance} (which polls every {@code interval}): what
     * {@link #replayPollers()} reads, from any host. A job's first poll also forgets the pollers silent for a day.
     */
    public void recordReplayPoll(String instance, Duration interval) {
        LocalDateTime now = now();
        String name = cut(instance, 255);
        int updated = update("UPDATE " + pollers + " SET polled_at = ?, poll_interval_ms = ?, stopped_at = NULL "
                + "WHERE instance = ?", ps -> {
            ps.setObject(1, now);
            ps.setLong(2, interval.toMillis());
            ps.setString(3, name);
        });
        if (updated == 0) {
            LocalDateTime dayAgo = now.minusDays(1);
            update("DELETE FROM " + pollers + " WHERE polled_at < ?", ps -> ps.setObject(1, dayAgo));
            update("INSERT INTO " + pollers + " (instance, polled_at, poll_interval_ms) VALUES (?, ?, ?)", ps -> {
                ps.setString(1, name);
                ps.setObject(2, now);
                ps.setLong(3, interval.toMillis());
            });
        }
    }

    /** The replay poller of {@code instance} stopped (its job shut down): it carries out no more replays. */
    public void recordReplayPollerStopped(String instance) {
        LocalDateTime now = now();
        update("UPDATE " + pollers + " SET stopped_at = ? WHERE instance = ?", ps -> {
            ps.setObject(1, now);
            ps.setString(2, cut(instance, 255));
        });
    }

    /** The pollers that recorded polls here (at most the 100 newest): whether a running job will pick a replay up. */
    public ReplayPollers replayPollers() {
        try {
            return new ReplayPollers(jdbc.query("SELECT instance, polled_at, poll_interval_ms, stopped_at FROM " + pollers
                    + " ORDER BY polled_at DESC", ps -> ps.setMaxRows(100), (rs, n) -> new ReplayPoll(rs.getString(1),
                    utc(rs.getObject(2, LocalDateTime.class)), Duration.ofMillis(rs.getLong(3)),
                    utc(rs.getObject(4, LocalDateTime.class)))));
        } catch (DataAccessException e) {
            throw queryFailed(e);
        }
    }

    private static Instant utc(LocalDateTime t) {
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    private LocalDateTime now() {
        // millisecond precision, as the columns keep
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(clock.millis()), ZoneOffset.UTC);
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private int update(String sql, PreparedStatementSetter binder) {
        try {
            return jdbc.update(sql, binder);
        } catch (DataAccessException e) {
            throw new ParkingException("parked store update failed (" + config.describeUrl() + "): " + reason(e),
                    sqlCause(e));
        }
    }

    private List<Long> ids(String sql, PreparedStatementSetter binder) {
        try {
            return jdbc.query(sql, binder, (rs, n) -> rs.getLong(1));
        } catch (DataAccessException e) {
            throw queryFailed(e);
        }
    }

    private List<ParkedMessage> query(String sql, boolean withBody, PreparedStatementSetter binder) {
        try {
            return jdbc.query(sql, binder, withBody ? ParkedRows.WITH_BODY : ParkedRows.WITHOUT_BODY);
        } catch (DataAccessException e) {
            throw queryFailed(e);
        }
    }

    private ParkingException queryFailed(DataAccessException e) {
        return new ParkingException("parked store query failed (" + config.describeUrl() + "): " + reason(e), sqlCause(e));
    }

    /** The database's own words: the SQLException's message, not Spring's wrapping of it (which quotes the SQL). */
    private static String reason(RuntimeException e) {
        Throwable cause = sqlCause(e);
        return cause.getMessage();
    }

    /** The SQLException behind a Spring exception, as the cause callers and classifiers have always seen. */
    private static Throwable sqlCause(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException) {
                return t;
            }
        }
        return e;
    }
}
