package io.selfheal.idempotency;

import io.selfheal.jdbc.SqlDialect;
import io.selfheal.threads.ThreadSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Keys already seen, in one database table shared by every process that points at it. One row per (scope, key); the
 * primary key decides races: of two concurrent inserts of one key exactly one reports "new". Every call uses its own
 * pooled connection in auto-commit mode, so nothing is held between calls.
 * <p>
 * A key is first <em>claimed</em> (its row names this store's owner and a claim expiry), then <em>confirmed</em> when
 * its message was processed (the claim columns are cleared), or removed when it gave up. The claim exists because a
 * process can die between the two: were a key in the table read as seen, the copy of the message that the source
 * delivers again after the crash would be skipped and acknowledged, and the message lost. So:
 * <ul>
 *     <li>a confirmed key is a duplicate ({@link #add} returns false);</li>
 *     <li>a key claimed by a processing whose claim is still renewed throws {@link KeyInProgressException}, a
 *         TRANSIENT failure: the copy is retried, never acknowledged unprocessed;</li>
 *     <li>a claim not renewed for {@code claimTimeout} belongs to a process that died: the next copy takes it over.</li>
 * </ul>
 * While this store holds claims ({@link HeldClaims}), a thread renews them every third of {@code claimTimeout} (a daemon
 * thread of its own unless a {@link ThreadSource} is given).
 * {@link #close} stops renewing and lets this store's remaining claims expire at once, so a restart need not wait for
 * them. Both touch the claims this store took and has not confirmed or removed, each by its primary key, as a confirm
 * does: renewing by owner would take the locks in the opposite order to a confirm and deadlock with confirms on MariaDB.
 * So the table needs no index besides its primary key ({@link KeySchema}), and has none: an index on the owner would
 * cost every claim and confirm its upkeep.
 * <p>
 * Plain JDBC; the Camel repository (JdbcIdempotentRepository in the camel layer) is a thin view of one scope on top of it.
 */
public final class JdbcKeyStore implements AutoCloseable {
    public static final int MAX_SCOPE_CHARS = 100;
    public static final int MAX_KEY_CHARS = 255;
    public static final int MAX_OWNER_CHARS = 100;
    private static final Logger LOG = LoggerFactory.getLogger(JdbcKeyStore.class);
    private static final List<String> COLUMNS = List.of("scope_name", "message_key", "created_at", "claimed_by",
            "claim_expires_ms");
    private static final List<String> KEY_COLUMNS = List.of("scope_name", "message_key");
    /** Attempts of one add when rows change under it (a claim released or taken between two statements). */
    private static final int ADD_ROUNDS = 3;
    /** Claims renewed (or released) per JDBC batch. */
    private static final int RENEW_BATCH = 500;

    private final DataSource dataSource;
    private final String table;
    private final KeySchema schema;
    private final Clock clock;
    private final Duration claimTimeout;
    private final String owner;
    private volatile Prepared prepared;
    private final HeldClaims held;

    /** The dialect and statements, fixed once the table is known to exist. */
    private record Prepared(SqlDialect dialect, String insert, String claimOf, String takeOver, String confirm,
                            String delete, String clear, String renew) {
    }

    /** A row's claim: null owner means confirmed. */
    private record Claim(String owner, Long expiresMillis) {
        boolean confirmed() {
            return owner == null;
        }
    }

    public JdbcKeyStore(DataSource dataSource, String table, Clock clock) {
        this(dataSource, table, clock, IdempotencySettings.DEFAULT_CLAIM_TIMEOUT);
    }

    public JdbcKeyStore(DataSource dataSource, String table, Clock clock, Duration claimTimeout) {
        this(dataSource, table, clock, claimTimeout, ThreadSource.daemons());
    }

    /** {@code threads} makes the thread that renews the held claims. */
    public JdbcKeyStore(DataSource dataSource, String table, Clock clock, Duration claimTimeout, ThreadSource threads) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (!SqlNames.isValid(table)) {
            throw new IllegalArgumentException("Invalid key table name '" + table + "'");
        }
        this.table = table;
        this.schema = new KeySchema(table);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.claimTimeout = Objects.requireNonNull(claimTimeout, "claimTimeout");
        if (claimTimeout.compareTo(IdempotencySettings.MIN_CLAIM_TIMEOUT) < 0) {
            throw new IllegalArgumentException("claimTimeout must be at least " + IdempotencySettings.MIN_CLAIM_TIMEOUT);
        }
        this.owner = newOwnerId();
        this.held = new HeldClaims("selfheal-idempotency-claims-" + table, Objects.requireNonNull(threads, "threads"),
                claimTimeout.toMillis() / 3, this::renewClaims);
    }

    public String table() {
        return table;
    }

    /** Who this store's claims say holds them: process id, host and a random part (two stores in one JVM differ). */
    public String owner() {
        return owner;
    }

    public Duration claimTimeout() {
        return claimTimeout;
    }

    /** Detects the database and creates the table if it is missing. Safe to call again and from several processes. */
    public SqlDialect ensureTable() {
        return prepared().dialect();
    }

    /**
     * Claims the key for a processing: true when it was new or its earlier claim had expired (its process died);
     * false when it was confirmed (processed before).
     *
     * @throws KeyInProgressException when a processing that is still alive holds the key
     */
    public boolean add(String scope, String key) {
        Prepared p = prepared();
        String s = checkedScope(scope);
        String k = storedKey(key);
        try (Connection c = dataSource.getConnection()) {
            for (int round = 0; round < ADD_ROUNDS; round++) {
                long now = clock.millis();
                if (insert(c, p, s, k, now)) {
                    held.hold(s, k);
                    return true;
                }
                Claim claim = claimOf(c, p, s, k);
                if (claim == null) {
                    continue;   // released between the two statements: try to claim it again
                }
                if (claim.confirmed()) {
                    return false;
                }
                long expires = claim.expiresMillis() == null ? 0 : claim.expiresMillis();
                if (expires >= now) {
                    throw new KeyInProgressException(s, key, claim.owner(), Instant.ofEpochMilli(expires));
                }
                // the owner stopped renewing: it died (or stalled for longer than claim-timeout). Take the claim over,
                // unless another copy took it first (the row no longer holds what was read)
                if (takeOver(c, p, s, k, claim, now)) {
                    LOG.warn("took over idempotency key {} (scope {}) from {}, whose claim expired at {} without being "
                            + "confirmed: that processing died, so this copy processes the message", key, s,
                            claim.owner(), Instant.ofEpochMilli(expires));
                    held.hold(s, k);
                    return true;
                }
            }
        } catch (SQLException e) {
            throw new IdempotencyStoreException("Could not record idempotency key in " + table, e);
        }
        throw new KeyInProgressException(s, key, "another processing (the key changed hands while it was read)",
                clock.instant());
    }

    /**
     * The message of a claimed key was processed: the key stays, as seen, with no claim. True when it was there. Any
     * processing may confirm, not only the claim's holder: one that stalled past claim-timeout and was taken over
     * still did its work, so the message counts as processed.
     */
    public boolean confirm(String scope, String key) {
        return endClaim(prepared().confirm(), scope, key, "Could not confirm idempotency key in ", false);
    }

    /** True when the key was processed or is claimed by a processing that is still alive. */
    public boolean contains(String scope, String key) {
        Prepared p = prepared();
        try (Connection c = dataSource.getConnection()) {
            Claim claim = claimOf(c, p, checkedScope(scope), storedKey(key));
            return claim != null && (claim.confirmed()
                    || (claim.expiresMillis() != null && claim.expiresMillis() >= clock.millis()));
        } catch (SQLException e) {
            throw new IdempotencyStoreException("Could not look up idempotency key in " + table, e);
        }
    }

    /**
     * Forgets the key (a message that gave up, so its replay can go through); true when it was forgotten. A key that
     * another processing claimed and still holds stays: this store's claim expired and was taken over (this process
     * stalled past claim-timeout), so the message is being processed again elsewhere, and removing that claim would let
     * a third copy process it at the same time. A confirmed key, one this store claimed, or an expired claim goes.
     */
    public boolean remove(String scope, String key) {
        return endClaim(prepared().delete(), scope, key, "Could not remove idempotency key from ", true);
    }

    /**
     * Runs a statement on one key's row, then stops renewing its claim; true when the row was there (and, for a removal,
     * not held by another live processing).
     */
    private boolean endClaim(String sql, String scope, String key, String failure, boolean unlessHeldElsewhere) {
        String s = checkedScope(scope);
        String k = storedKey(key);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, s);
            ps.setString(2, k);
            if (unlessHeldElsewhere) {
                ps.setString(3, owner);
                ps.setLong(4, clock.millis());
            }
            boolean found = ps.executeUpdate() > 0;
            // not before: a statement that failed leaves the claim renewed, so no copy processes the message meanwhile
            held.release(s, k);
            return found;
        } catch (SQLException e) {
            throw new IdempotencyStoreException(failure + table, e);
        }
    }

    /** Forgets every key of the scope; returns how many. */
    public int clear(String scope) {
        Prepared p = prepared();
        String s = checkedScope(scope);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(p.clear())) {
            ps.setString(1, s);
            int n = ps.executeUpdate();
            held.releaseScope(s);
            return n;
        } catch (SQLException e) {
            throw new IdempotencyStoreException("Could not clear idempotency keys in " + table, e);
        }
    }

    /**
     * Keys longer than the column are stored as their SHA-256, so a long key is never cut (two long keys that share
     * a prefix stay distinct).
     */
    static String storedKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.length() <= MAX_KEY_CHARS) {
            return key;
        }
        return "sha256:" + sha256Hex(key);
    }

    static String sha256Hex(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String checkedScope(String scope) {
        if (scope == null || scope.isEmpty() || scope.length() > MAX_SCOPE_CHARS) {
            throw new IllegalArgumentException("Idempotency scope must be 1 to " + MAX_SCOPE_CHARS + " characters: '"
                    + scope + "'");
        }
        return scope;
    }

    private Prepared prepared() {
        Prepared p = prepared;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (prepared == null) {
                prepared = prepare();
            }
            return prepared;
        }
    }

    private boolean insert(Connection c, Prepared p, String scope, String key, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(p.insert())) {
            ps.setString(1, scope);
            ps.setString(2, key);
            ps.setTimestamp(3, new Timestamp(now));
            ps.setString(4, owner);
            ps.setLong(5, now + claimTimeout.toMillis());
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            if (p.dialect().isDuplicateKey(e)) {
                // the row is there (H2 and MariaDB claim with a plain INSERT; on PostgreSQL only a racing insert of
                // the same key ends here): what it holds is read next
                return false;
            }
            throw e;
        }
    }

    private static Claim claimOf(Connection c, Prepared p, String scope, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(p.claimOf())) {
            ps.setString(1, scope);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String by = rs.getString(1);
                long expires = rs.getLong(2);
                return new Claim(by, rs.wasNull() ? null : expires);
            }
        }
    }

    /** Conditional on the row still holding the expired claim that was read, so of two copies only one takes it. */
    private boolean takeOver(Connection c, Prepared p, String scope, String key, Claim expired, long now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(p.takeOver())) {
            ps.setString(1, owner);
            ps.setLong(2, now + claimTimeout.toMillis());
            ps.setTimestamp(3, new Timestamp(now));
            ps.setString(4, scope);
            ps.setString(5, key);
            ps.setString(6, expired.owner());
            ps.setLong(7, expired.expiresMillis() == null ? 0 : expired.expiresMillis());
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * Pushes the expiry of every claim this store holds one claim-timeout ahead, each by its primary key and only while
     * its row still names this store; returns how many. A claim whose row no longer does (confirmed, removed, or taken
     * over after it expired) is no longer held.
     */
    public int renewClaims() {
        try {
            return setExpiry(clock.millis() + claimTimeout.toMillis());
        } catch (SQLException | RuntimeException e) {
            // claims not renewed in time expire, and another copy may then process the message too: say so
            LOG.warn("could not renew the idempotency claims of {} in {}: {}", owner, table, e.toString());
            return 0;
        }
    }

    /** Sets the claim expiry of the held claims whose rows still name this store, in batches; returns how many. */
    private int setExpiry(long expiresMillis) throws SQLException {
        List<HeldClaims.Claim> claims = held.snapshot();
        if (claims.isEmpty()) {
            return 0;
        }
        Prepared p = prepared();
        int n = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(p.renew())) {
            for (int from = 0; from < claims.size(); from += RENEW_BATCH) {
                List<HeldClaims.Claim> batch = claims.subList(from, Math.min(claims.size(), from + RENEW_BATCH));
                for (HeldClaims.Claim h : batch) {
                    ps.setLong(1, expiresMillis);
                    ps.setString(2, h.scope());
                    ps.setString(3, h.key());
                    ps.setString(4, owner);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int i = 0; i < counts.length && i < batch.size(); i++) {
                    if (counts[i] == 0) {
                        held.release(batch.get(i));
                    } else if (counts[i] > 0 || counts[i] == Statement.SUCCESS_NO_INFO) {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    /**
     * Stops renewing and lets this store's remaining claims expire now. By the time a context stops its services, its
     * routes have finished what they could; a claim still held belongs to a message its source will deliver again,
     * which the next process should not have to wait claim-timeout for. The store can be used again (a restarted
     * context): the next claim starts renewing again.
     */
    @Override
    public void close() {
        if (!held.stopRenewing()) {
            return;
        }
        try {
            int n = setExpiry(0);
            if (n > 0) {
                LOG.info("released {} unconfirmed idempotency claims of {} in {} on stop", n, owner, table);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not release the claims of {} on stop (they expire within {}): {}", owner, claimTimeout, e.toString());
        } finally {
            // no longer renewed either way; a restarted context must not renew the claims of exchanges that are gone
            held.clear();
        }
    }

    private static String newOwnerId() {
        String id = ManagementFactory.getRuntimeMXBean().getName() + "#"
                + UUID.randomUUID().toString().substring(0, 8);
        return id.length() <= MAX_OWNER_CHARS ? id : id.substring(id.length() - MAX_OWNER_CHARS);
    }

    private Prepared prepare() {
        try (Connection c = dataSource.getConnection()) {
            SqlDialect dialect = schema.ensure(c);
            String where = " WHERE scope_name = ? AND message_key = ?";
            return new Prepared(dialect, dialect.insertKey(table, COLUMNS, KEY_COLUMNS),
                    "SELECT claimed_by, claim_expires_ms FROM " + table + where,
                    "UPDATE " + table + " SET claimed_by = ?, claim_expires_ms = ?, created_at = ?" + where
                            + " AND claimed_by = ? AND claim_expires_ms = ?",
                    "UPDATE " + table + " SET claimed_by = NULL, claim_expires_ms = NULL" + where,
                    "DELETE FROM " + table + where
                            + " AND (claimed_by IS NULL OR claimed_by = ? OR claim_expires_ms < ?)",
                    "DELETE FROM " + table + " WHERE scope_name = ?",
                    "UPDATE " + table + " SET claim_expires_ms = ?" + where + " AND claimed_by = ?");
        } catch (SQLException e) {
            throw new IdempotencyStoreException("Could not prepare the idempotency key table " + table, e);
        }
    }
}
