package io.selfheal.idempotency;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What one key-store call asks of the database, counted, on H2, PostgreSQL and MariaDB. A message on the idempotent
 * consumer's path pays one claim and one confirm; each must stay one autocommitted statement on one borrowed
 * connection (the idempotency benchmark compares exactly this against a plain INSERT). A claim of a new key is the
 * dialect's insert-if-absent alone, never a look-up first; only a key that is already there costs the read that
 * tells a duplicate from a copy in progress.
 */
class KeyStoreCostTest {
    private TestDatabases db;
    private String table;
    private JdbcKeyStore store;

    @AfterEach
    void drop() {
        if (store != null) {
            store.close();
        }
        if (db != null) {
            db.dropQuietly(table);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aNewKeyCostsOneStatementToClaimAndOneToConfirm(TestDatabases database) {
        StatementCounter counter = storeOn(database);

        assertThat(store.add("orders", "o-1")).isTrue();
        assertCost(counter, 1);
        String claim = counter.sql().get(0).toUpperCase(Locale.ROOT);
        assertThat(claim).startsWith("INSERT INTO");
        if (database == TestDatabases.POSTGRESQL) {
            assertThat(claim).contains("ON CONFLICT");
        }

        counter.reset();
        assertThat(store.confirm("orders", "o-1")).isTrue();
        assertCost(counter, 1);
        assertThat(counter.sql().get(0)).startsWith("UPDATE ");

        counter.reset();
        assertThat(store.remove("orders", "o-1")).isTrue();
        assertCost(counter, 1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aKeyThatIsThereCostsTheClaimAndOneRead(TestDatabases database) {
        StatementCounter counter = storeOn(database);
        assertThat(store.add("orders", "o-2")).isTrue();

        counter.reset();
        assertThatThrownBy(() -> store.add("orders", "o-2")).isInstanceOf(KeyInProgressException.class);
        assertThat(counter.borrows()).isEqualTo(1);
        assertThat(counter.statements()).isEqualTo(2);
        assertThat(counter.sql().get(1)).startsWith("SELECT ");

        store.confirm("orders", "o-2");
        counter.reset();
        assertThat(store.add("orders", "o-2")).isFalse();
        assertThat(counter.borrows()).isEqualTo(1);
        assertThat(counter.statements()).isEqualTo(2);
    }

    private StatementCounter storeOn(TestDatabases database) {
        db = database;
        table = TestDatabases.uniqueTable("cost");
        StatementCounter counter = new StatementCounter(database.dataSource());
        // long, so the store's renewing thread does not run during the test and add to the counts
        store = new JdbcKeyStore(counter.dataSource(), table, Clock.systemUTC(), Duration.ofMinutes(10));
        store.ensureTable();
        counter.reset();
        return counter;
    }

    /** One borrowed connection, {@code statements} statements, each its own autocommitted transaction. */
    private static void assertCost(StatementCounter counter, int statements) {
        assertThat(counter.borrows()).as("connections borrowed").isEqualTo(1);
        assertThat(counter.statements()).as("statements executed: " + counter.sql()).isEqualTo(statements);
        assertThat(counter.commits()).as("commits").isEqualTo(statements);
    }
}
