package io.selfheal.escalation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The durable store of given-up messages: one JDBC table on H2 (default, a file under ./data), PostgreSQL or MariaDB.
 * The table is created when missing. Status changes are conditional updates, so two replays or a replay and a
 * discard of one record never both win. Timestamps are stored in UTC.
 */
public final class ParkedStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParkedStore.class);
    private static final String COLUMNS_WITHOUT_BODY = "id, status, parked_at, updated_at, route_id, failed_route_id, endpoint, "
            + "from_endpoint, upstream, failure_class, give_up_reason, attempts, summary, exchange_id, idempotency_key, "
            + "body_size, headers, failure_context, replayed_from, reparked_as, replay_count, replay_requested_at, "
            + "replay_requested_by, replay_target, replay_max_attempts, replay_max_duration_ms, replayed_at, "
            + "last_replay_error, discarded_at, discarded_by, discard_reason, reentry_step, failure_headers, failure_body, body_type";

    private final ParkedConfig config;
    private final SqlDialect dialect;
    private final String table;
    private final ConnectionPool pool;
    private final Clock clock;

    public ParkedStore(ParkedConfig config, Clock clock) {
        this.config = config;
        this.dialect = SqlDialect.forUrl(ParkedConfig.URL, config.url());
        this.table = config.table();
        this.pool = new ConnectionPool(config.url(), config.username(), config.password(), 4);
        this.clock = clock;
        try {
            createTable();
        } catch (SQLException e) {
            pool.close();
            throw new ParkingException("cannot open the parked store at " + config.describeUrl() + " (table " + table
                    + "): " + e.getMessage(), e);
        }
    }

    public ParkedConfig config() {
        return config;
    }

    private void createTable() throws SQLException {
        String ddl = "CREATE TABLE IF NOT EXISTS " + table + " ("
                + "id " + dialect.identity + ", "
                + "status VARCHAR(20) NOT NULL, "
                + "parked_at " + dialect.timestamp + " NOT NULL, "
                + "updated_at " + dialect.timestamp + " NOT NULL, "
                + "route_id VARCHAR(255), "
                + "failed_route_id VARCHAR(255), "
                + "endpoint " + dialect.text + ", "
                + "from_endpoint " + dialect.text + ", "
                + "upstream VARCHAR(255), "
                + "failure_class VARCHAR(20), "
                + "give_up_reason VARCHAR(40), "
                + "attempts INT, "
                + "summary " + dialect.text + ", "
                + "exchange_id VARCHAR(255), "
                + "idempotency_key VARCHAR(255), "
                + "body " + dialect.bytes + ", "
                + "body_size BIGINT NOT NULL, "
                + "headers " + dialect.longText + ", "
                + "failure_context " + dialect.longText + ", "
                + "replayed_from BIGINT, "
                + "reparked_as BIGINT, "
                + "replay_count INT NOT NULL, "
                + "replay_requested_at " + dialect.timestamp + " NULL, "
                + "replay_requested_by VARCHAR(255), "
                + "replay_target " + dialect.text + ", "
                + "replay_max_attempts INT, "
                + "replay_max_duration_ms BIGINT, "
                + "replayed_at " + dialect.timestamp + " NULL, "
                + "last_replay_error " + dialect.text + ", "
                + "discarded_at " + dialect.timestamp + " NULL, "
                + "discarded_by VARCHAR(255), "
                + "discard_reason " + dialect.text + ", "
                + addedColumns() + ")";
        Connection c = pool.borrow();
        boolean ok = false;
        try (Statement s = c.createStatement()) {
            s.execute(ddl);
            s.execute("CREATE INDEX IF NOT EXISTS " + table + "_status_ix ON " + table + " (status, upstream)");
            // a store created by an earlier version lacks the columns added since: add them (H2, PostgreSQL and
            // MariaDB all know ADD COLUMN IF NOT EXISTS). Only a missing one is altered: a store the process may use
            // but not alter opens as before.
            for (String column : addedColumns().split(", ")) {
                if (!hasColumn(c, column.substring(0, column.indexOf(' ')))) {
                    s.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + column);
                }
            }
            ok = true;
        } finally {
            pool.release(c, ok);
        }
    }

    private boolean hasColumn(Connection c, String column) {
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT " + column + " FROM " + table + " WHERE 1 = 0").close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** Columns added after the first release, with their types: created with the table, or added to an older one. */
    private String addedColumns() {
        return "reentry_step VARCHAR(255), failure_headers " + dialect.longText + ", failure_body " + dialect.longText
                + ", body_type VARCHAR(255)";
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
        String sql = "INSERT INTO " + table + " (status, parked_at, updated_at, route_id, failed_route_id, endpoint, from_endpoint, "
                + "upstream, failure_class, give_up_reason, attempts, summary, exchange_id, idempotency_key, body, "
                + "body_size, headers, failure_context, replayed_from, reentry_step, failure_headers, failure_body, "
                + "body_type, replay_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)";
        LocalDateTime now = now();
        Connection c = null;
        boolean ok = false;
        try {
            c = pool.borrow();
            c.setAutoCommit(false);
            Long waiting = r.replayedFrom() == null ? waitingCopy(c, r, g) : null;
            if (waiting != null) {
                c.commit();
                c.setAutoCommit(true);
                ok = true;
                LOG.info("already parked as #{}: the same message (route {}, idempotency key {}, same body) is still "
                        + "waiting there; its source delivered it again (after a crash), so it is not parked twice",
                        waiting, r.routeId(), g.idempotencyKey());
                return new Parked(waiting, true);
            }
            long id;
            try (PreparedStatement ps = dialect == SqlDialect.POSTGRESQL
                    ? c.prepareStatement(sql, new String[]{"id"})
                    : c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
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
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new SQLException("the database returned no id for the parked message");
                    }
                    id = keys.getLong(1);
                }
            }
            if (r.replayedFrom() != null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET status = ?, reparked_as = ?, "
                        + "replayed_at = ?, updated_at = ?, replay_count = replay_count + 1 WHERE id = ? AND status = ?")) {
                    ps.setString(1, ParkedStatus.REPARKED.name());
                    ps.setLong(2, id);
                    ps.setObject(3, now);
                    ps.setObject(4, now);
                    ps.setLong(5, r.replayedFrom());
                    ps.setString(6, ParkedStatus.REPLAYING.name());
                    ps.executeUpdate();
                }
            }
            c.commit();
            c.setAutoCommit(true);
            ok = true;
            return new Parked(id, false);
        } catch (SQLException e) {
            rollback(c);
            throw new ParkingException("could not park the message in " + config.describeUrl() + " (table " + table
                    + "): " + e.getMessage(), e);
        } finally {
            pool.release(c, ok);
        }
    }

    /**
     * The id of a record that already holds this very message and still waits (PARKED or REPLAY_REQUESTED): same
     * route, same idempotency key, same body. A source that delivers a message again after a crash between parking it
     * and forgetting it (the crash test killed two such moments in 5,000 records) would otherwise park it twice, and
     * two replays would follow. A message without a key, or a replay that failed again, is always parked anew.
     */
    private Long waitingCopy(Connection c, ParkRequest r, GiveUp g) throws SQLException {
        if (g.idempotencyKey() == null || r.routeId() == null) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id, body FROM " + table
                + " WHERE idempotency_key = ? AND route_id = ? AND status IN (?, ?) ORDER BY id")) {
            ps.setString(1, cut(g.idempotencyKey(), 255));
            ps.setString(2, cut(r.routeId(), 255));
            ps.setString(3, ParkedStatus.PARKED.name());
            ps.setString(4, ParkedStatus.REPLAY_REQUESTED.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] body = rs.getBytes(2);
                    if (java.util.Arrays.equals(body, r.body())
                            || (body != null && body.length == 0 && r.body() == null)) {
                        return rs.getLong(1);
                    }
                }
            }
        }
        return null;
    }

    public Optional<ParkedMessage> find(long id) {
        List<ParkedMessage> rows = query("SELECT " + COLUMNS_WITHOUT_BODY + ", body FROM " + table + " WHERE id = ?",
                true, ps -> ps.setLong(1, id));
        return rows.stream().findFirst();
    }

    /** Newest first; {@code status} and {@code upstream} filter when not null. Bodies are not loaded. */
    public List<ParkedMessage> list(ParkedStatus status, String upstream, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS_WITHOUT_BODY + " FROM " + table + " WHERE 1=1");
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
        Connection c = null;
        boolean ok = false;
        try {
            c = pool.borrow();
            try (PreparedStatement ps = c.prepareStatement("SELECT status, COUNT(*) FROM " + table + " GROUP BY status");
                 ResultSet rs = ps.executeQuery()) {
                Map<ParkedStatus, Long> out = new java.util.EnumMap<>(ParkedStatus.class);
                while (rs.next()) {
                    out.put(ParkedStatus.valueOf(rs.getString(1)), rs.getLong(2));
                }
                ok = true;
                return out;
            }
        } catch (SQLException e) {
            throw new ParkingException("parked store query failed (" + config.describeUrl() + "): " + e.getMessage(), e);
        } finally {
            pool.release(c, ok);
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

    @Override
    public void close() {
        pool.close();
    }

    private LocalDateTime now() {
        // millisecond precision, as the columns keep
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(clock.millis()), ZoneOffset.UTC);
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private int update(String sql, Binder binder) {
        Connection c = null;
        boolean ok = false;
        try {
            c = pool.borrow();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                int n = ps.executeUpdate();
                ok = true;
                return n;
            }
        } catch (SQLException e) {
            throw new ParkingException("parked store update failed (" + config.describeUrl() + "): " + e.getMessage(), e);
        } finally {
            pool.release(c, ok);
        }
    }

    private List<Long> ids(String sql, Binder binder) {
        Connection c = null;
        boolean ok = false;
        try {
            c = pool.borrow();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                List<Long> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getLong(1));
                    }
                }
                ok = true;
                return out;
            }
        } catch (SQLException e) {
            throw new ParkingException("parked store query failed (" + config.describeUrl() + "): " + e.getMessage(), e);
        } finally {
            pool.release(c, ok);
        }
    }

    private List<ParkedMessage> query(String sql, boolean withBody, Binder binder) {
        Connection c = null;
        boolean ok = false;
        try {
            c = pool.borrow();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                List<ParkedMessage> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs, withBody));
                    }
                }
                ok = true;
                return out;
            }
        } catch (SQLException e) {
            throw new ParkingException("parked store query failed (" + config.describeUrl() + "): " + e.getMessage(), e);
        } finally {
            pool.release(c, ok);
        }
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
                rs.getString("body_type"));
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

    private static void rollback(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.rollback();
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // the connection is closed by release(c, false)
        }
    }
}
