package io.selfheal.idempotency;

import io.selfheal.testing.MutableClock;
import io.selfheal.config.ConfigException;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.jdbc.PooledDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Claims in the key store, the fix for the loss the crash test found: a key added by a processing that has not
 * finished is a claim, not a "seen" key. A copy of the message is retried (never skipped) while the claim is renewed,
 * takes it over once its owner stopped renewing it (the owner died), and is skipped once it was confirmed. On H2,
 * PostgreSQL and MariaDB; the clocks are moved by hand.
 */
class KeyClaimsTest {
    private static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");
    /** Long, so the stores' own renewing threads (every third of it, in real time) never run during a test. */
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final List<JdbcKeyStore> stores = new ArrayList<>();
    private final List<PooledDataSource> pools = new ArrayList<>();
    private TestDatabases db;
    private String table;

    @AfterEach
    void drop() {
        stores.forEach(JdbcKeyStore::close);
        pools.forEach(PooledDataSource::close);
        if (db != null) {
            db.dropQuietly(table);
        }
    }

    private JdbcKeyStore store(TestDatabases database, Clock clock) {
        db = database;
        if (table == null) {
            table = TestDatabases.uniqueTable("claims");
        }
        JdbcKeyStore s = new JdbcKeyStore(database.dataSource(), table, clock, TIMEOUT);
        stores.add(s);
        return s;
    }

    /** A store on a pool of its own, as each process has (connecting per call would make races slow, not closer). */
    private JdbcKeyStore pooledStore(TestDatabases database, Clock clock) {
        return pooledStore(database, clock, 2);
    }

    private JdbcKeyStore pooledStore(TestDatabases database, Clock clock, int poolSize) {
        db = database;
        if (table == null) {
            table = TestDatabases.uniqueTable("claims");
        }
        PooledDataSource pool = new PooledDataSource(new IdempotencySettings(database.url, database.user,
                database.password, table, poolSize, Duration.ofSeconds(10), TIMEOUT).jdbc(), "key-claims-test");
        pools.add(pool);
        JdbcKeyStore s = new JdbcKeyStore(pool, table, clock, TIMEOUT);
        stores.add(s);
        return s;
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aClaimedKeyIsRetriedNotSkippedAndAConfirmedOneIsADuplicate(TestDatabases database) {
        MutableClock clock = new MutableClock(T0);
        JdbcKeyStore a = store(database, clock);
        JdbcKeyStore b = store(database, clock);

        assertThat(a.add("orders", "o-1")).isTrue();
        // in progress: neither another process nor the same one may skip a copy of it
        assertThatThrownBy(() -> b.add("orders", "o-1")).isInstanceOf(KeyInProgressException.class)
                .hasMessageContaining(a.owner()).hasMessageContaining("retried, not skipped");
        assertThatThrownBy(() -> a.add("orders", "o-1")).isInstanceOf(KeyInProgressException.class);
        assertThat(b.contains("orders", "o-1")).isTrue();

        assertThat(a.confirm("orders", "o-1")).isTrue();
        assertThat(b.add("orders", "o-1")).isFalse();
        assertThat(a.add("orders", "o-1")).isFalse();
        // a confirmed key never expires
        clock.advance(Duration.ofDays(30));
        assertThat(b.add("orders", "o-1")).isFalse();
        assertThat(b.contains("orders", "o-1")).isTrue();
        // scopes are apart
        assertThat(b.add("invoices", "o-1")).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aClaimWhoseOwnerStoppedRenewingIsTakenOver(TestDatabases database) {
        MutableClock clock = new MutableClock(T0);
        JdbcKeyStore crashed = store(database, clock);
        JdbcKeyStore restarted = store(database, clock);
        assertThat(crashed.add("orders", "o-2")).isTrue();

        clock.advance(TIMEOUT.minusMillis(1));
        assertThatThrownBy(() -> restarted.add("orders", "o-2")).isInstanceOf(KeyInProgressException.class);
        clock.advance(Duration.ofMillis(2));
        assertThat(restarted.contains("orders", "o-2")).isFalse();
        assertThat(restarted.add("orders", "o-2")).isTrue();
        // the new owner's claim is alive: a third copy waits for it
        assertThatThrownBy(() -> crashed.add("orders", "o-2")).isInstanceOf(KeyInProgressException.class)
                .hasMessageContaining(restarted.owner());
        assertThat(restarted.confirm("orders", "o-2")).isTrue();
        assertThat(crashed.add("orders", "o-2")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aStalledOwnerThatGivesUpAfterATakeOverLeavesTheNewClaimAlone(TestDatabases database) {
        MutableClock clock = new MutableClock(T0);
        JdbcKeyStore stalled = store(database, clock);
        JdbcKeyStore takesOver = store(database, clock);
        JdbcKeyStore third = store(database, clock);
        assertThat(stalled.add("orders", "o-5")).isTrue();
        clock.advance(TIMEOUT.plusMillis(1));
        assertThat(takesOver.add("orders", "o-5")).isTrue();

        // the stalled processing gives up: its removal must not free the key the other one is processing under
        assertThat(stalled.remove("orders", "o-5")).isFalse();
        assertThatThrownBy(() -> third.add("orders", "o-5")).isInstanceOf(KeyInProgressException.class)
                .hasMessageContaining(takesOver.owner());
        // the holder may give up and free it; so may anyone once that claim has expired too
        assertThat(takesOver.remove("orders", "o-5")).isTrue();
        assertThat(third.add("orders", "o-5")).isTrue();
        clock.advance(TIMEOUT.plusMillis(1));
        assertThat(stalled.remove("orders", "o-5")).isTrue();
        // and a confirmed key can be forgotten by anyone (a replay an operator asks for)
        assertThat(third.add("orders", "o-5")).isTrue();
        assertThat(third.confirm("orders", "o-5")).isTrue();
        assertThat(stalled.remove("orders", "o-5")).isTrue();
        assertThat(takesOver.add("orders", "o-5")).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aLiveOwnerRenewsItsClaimsAndReleasesThemWhenItStops(TestDatabases database) {
        MutableClock clock = new MutableClock(T0);
        JdbcKeyStore live = store(database, clock);
        JdbcKeyStore other = store(database, clock);
        assertThat(live.add("orders", "o-3")).isTrue();
        assertThat(live.add("orders", "o-4")).isTrue();
        assertThat(live.confirm("orders", "o-4")).isTrue();

        clock.advance(TIMEOUT.minusSeconds(1));
        assertThat(live.renewClaims()).as("only the unconfirmed claim is renewed").isEqualTo(1);
        clock.advance(TIMEOUT.minusSeconds(1));
        assertThatThrownBy(() -> other.add("orders", "o-3")).isInstanceOf(KeyInProgressException.class);

        // a stopping process lets its claims expire at once: the next one need not wait the timeout
        live.close();
        assertThat(other.add("orders", "o-3")).isTrue();
        assertThat(other.add("orders", "o-4")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabases.class, names = {"POSTGRESQL", "MARIADB"})
    void ofManyCopiesRacingForExpiredClaimsExactlyOneTakesEach(TestDatabases database) throws Exception {
        MutableClock clock = new MutableClock(T0);
        JdbcKeyStore first = store(database, clock);
        first.ensureTable();
        // the rows a killed process leaves: claims that nobody renews (a live store would renew its own)
        int keys = 200;
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < keys; i++) {
            rows.append(i == 0 ? "" : ", ").append("('orders', 'k-").append(i).append("', CURRENT_TIMESTAMP, "
                    + "'4242@crashed-host#dead', ").append(T0.plus(TIMEOUT).toEpochMilli()).append(')');
        }
        database.exec("INSERT INTO " + table + " (scope_name, message_key, created_at, claimed_by, claim_expires_ms) "
                + "VALUES " + rows);
        clock.advance(TIMEOUT.plusSeconds(1));
        List<JdbcKeyStore> racers = List.of(store(database, clock), store(database, clock), store(database, clock),
                store(database, clock));
        Map<String, AtomicInteger> winners = new ConcurrentHashMap<>();
        AtomicInteger inProgress = new AtomicInteger();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (JdbcKeyStore s : racers) {
            for (int t = 0; t < 2; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < keys; i++) {
                            try {
                                if (s.add("orders", "k-" + i)) {
                                    winners.computeIfAbsent("k-" + i, k -> new AtomicInteger()).incrementAndGet();
                                }
                            } catch (KeyInProgressException e) {
                                inProgress.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        unexpected.set(e);
                    }
                });
                thread.start();
                threads.add(thread);
            }
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(unexpected.get()).isNull();
        assertThat(winners).hasSize(keys);
        assertThat(winners.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(inProgress.get()).isEqualTo(keys * (racers.size() * 2 - 1));
    }

    /**
     * The claim of a new key is one INSERT whose duplicate-key error means "there" on H2 and MariaDB, and one
     * INSERT ... ON CONFLICT DO NOTHING on PostgreSQL: of many copies racing for the same new keys exactly one claims
     * each, every other one is told the key is in progress, and once confirmed, every copy is a duplicate.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void ofManyCopiesRacingForNewKeysExactlyOneClaimsEach(TestDatabases database) throws Exception {
        MutableClock clock = new MutableClock(T0);
        store(database, clock).ensureTable();
        List<JdbcKeyStore> racers = List.of(pooledStore(database, clock), pooledStore(database, clock),
                pooledStore(database, clock), pooledStore(database, clock));
        int keys = 300;
        Map<String, AtomicInteger> winners = new ConcurrentHashMap<>();
        AtomicInteger inProgress = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        race(racers, keys, "orders", winners, inProgress, duplicates);
        assertThat(winners).hasSize(keys);
        assertThat(winners.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(inProgress.get()).isEqualTo(keys * (racers.size() * 2 - 1));
        assertThat(duplicates.get()).isZero();

        for (int i = 0; i < keys; i++) {
            assertThat(racers.get(i % racers.size()).confirm("orders", "n-" + i)).isTrue();
        }
        winners.clear();
        inProgress.set(0);
        race(racers, keys, "orders", winners, inProgress, duplicates);
        assertThat(winners).isEmpty();
        assertThat(inProgress.get()).isZero();
        assertThat(duplicates.get()).isEqualTo(keys * racers.size() * 2);
        assertThat(database.count("SELECT COUNT(*) FROM " + table)).isEqualTo(keys);
    }

    /**
     * While messages are claimed and confirmed, the store renews its claims (every third of claim-timeout; here as
     * fast as it can): neither may fail the other. On MariaDB, renewing by claim owner (an UPDATE over the owner's
     * index entries) deadlocked with confirms, which take the row first and the index entry second: a confirm lost
     * that way leaves a processed message's key claimed, and once the claim expires a copy is processed again.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void renewingClaimsNeverFailsAConcurrentClaimOrConfirm(TestDatabases database) throws Exception {
        JdbcKeyStore store = pooledStore(database, Clock.systemUTC(), 5);
        store.ensureTable();
        int threads = 4;
        int checksPerThread = 400;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger renewals = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(threads);
        // the checks begin once renewing has: that they overlap is then a fact, not up to the scheduler
        CountDownLatch renewing = new CountDownLatch(1);
        Thread renewer = new Thread(() -> {
            while (done.getCount() > 0) {
                store.renewClaims();
                renewals.incrementAndGet();
                renewing.countDown();
            }
        });
        renewer.start();
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + "-";
            new Thread(() -> {
                try {
                    renewing.await();
                    for (int i = 0; i < checksPerThread && failure.get() == null; i++) {
                        assertThat(store.add("orders", prefix + i)).isTrue();
                        assertThat(store.confirm("orders", prefix + i)).isTrue();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }).start();
        }
        assertThat(done.await(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        renewer.join(10_000);
        assertThat(failure.get()).isNull();
        assertThat(renewals.get()).isPositive();
        assertThat(database.count("SELECT COUNT(*) FROM " + table + " WHERE claimed_by IS NULL"))
                .isEqualTo(threads * checksPerThread);
    }

    /** Two threads per store add the keys n-0 .. n-(keys-1) in the same order, released at the same moment. */
    private static void race(List<JdbcKeyStore> racers, int keys, String scope, Map<String, AtomicInteger> winners,
                             AtomicInteger inProgress, AtomicInteger duplicates) throws InterruptedException {
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (JdbcKeyStore s : racers) {
            for (int t = 0; t < 2; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < keys; i++) {
                            try {
                                if (s.add(scope, "n-" + i)) {
                                    winners.computeIfAbsent("n-" + i, k -> new AtomicInteger()).incrementAndGet();
                                } else {
                                    duplicates.incrementAndGet();
                                }
                            } catch (KeyInProgressException e) {
                                inProgress.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        unexpected.set(e);
                    }
                });
                thread.start();
                threads.add(thread);
            }
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(unexpected.get()).isNull();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aKeyTableFromBeforeClaimsGetsTheColumnsAndItsKeysStaySeen(TestDatabases database) {
        db = database;
        table = TestDatabases.uniqueTable("legacy");
        String ts = database == TestDatabases.MARIADB ? "DATETIME(3)" : "TIMESTAMP";
        database.exec("CREATE TABLE " + table + " (scope_name VARCHAR(100) NOT NULL, message_key VARCHAR(255) NOT NULL, "
                + "created_at " + ts + " NOT NULL, PRIMARY KEY (scope_name, message_key))");
        database.exec("INSERT INTO " + table + " VALUES ('orders', 'old-1', CURRENT_TIMESTAMP)");
        JdbcKeyStore s = store(database, new MutableClock(T0));

        assertThat(s.add("orders", "old-1")).isFalse();
        assertThat(s.add("orders", "new-1")).isTrue();
        assertThat(database.count("SELECT COUNT(*) FROM " + table + " WHERE claimed_by IS NOT NULL")).isEqualTo(1);
        // a second store (another process) on the migrated table
        assertThat(store(database, new MutableClock(T0)).add("orders", "old-1")).isFalse();
    }

    @Test
    void theClaimTimeoutIsConfiguredAndValidated() {
        assertThat(SelfhealConfig.defaults().idempotency().claimTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(SelfhealConfig.load(Map.of("selfheal.idempotency.claim-timeout", "2m")).idempotency().claimTimeout())
                .isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.idempotency.claim-timeout", "500ms")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.idempotency.claim-timeout")
                .hasMessageContaining("at least 1s");
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.idempotency.claim-timeout", "soon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("selfheal.idempotency.claim-timeout");
    }

    @Test
    void aCopyWaitingForAClaimIsRetriedAndSafeToRetryForNonIdempotentCalls() {
        KeyInProgressException e = new KeyInProgressException("orders", "o-1", "123@host#ab", T0);
        assertThat(RequestNeverSent.test(e)).isTrue();
        assertThat(io.selfheal.classify.FailureClassifier.defaults().classify(e).failureClass())
                .isEqualTo(io.selfheal.classify.FailureClass.TRANSIENT);
    }

}
