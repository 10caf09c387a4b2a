package io.selfheal.idempotency;

import io.selfheal.threads.ThreadSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the key store's claim renewer comes from: a daemon thread named for its table when nothing is given (the
 * command line, a plain Java user), the given {@link ThreadSource}'s otherwise (a CamelContext's). It starts with the
 * first claim and ends when the store closes.
 */
class ClaimRenewerThreadTest {
    private final String table = TestDatabases.uniqueTable("renewer");
    private JdbcKeyStore store;

    @AfterEach
    void drop() {
        if (store != null) {
            store.close();
        }
        TestDatabases.H2.dropQuietly(table);
    }

    private static Optional<Thread> thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst();
    }

    @Test
    void withoutASourceTheRenewerIsADaemonThreadNamedForTheTable() {
        store = new JdbcKeyStore(TestDatabases.H2.dataSource(), table, Clock.systemUTC(), Duration.ofMinutes(10));
        String name = "selfheal-idempotency-claims-" + table;
        assertThat(thread(name)).as("no claim, no renewer").isEmpty();

        store.add("orders", "k1");
        Thread renewer = thread(name).orElseThrow();
        assertThat(renewer.isDaemon()).isTrue();

        store.close();
        assertThat(awaitEnd(renewer)).as("the renewer ends with the store").isTrue();
    }

    @Test
    void withASourceTheRenewerComesFromIt() {
        List<String> asked = new CopyOnWriteArrayList<>();
        ThreadSource source = (name, task) -> {
            asked.add(name);
            return ThreadSource.daemons().newThread("given-" + name, task);
        };
        store = new JdbcKeyStore(TestDatabases.H2.dataSource(), table, Clock.systemUTC(), Duration.ofMinutes(10),
                source);
        store.add("orders", "k1");
        assertThat(asked).containsExactly("selfheal-idempotency-claims-" + table);
        assertThat(thread("given-selfheal-idempotency-claims-" + table)).isPresent();
    }

    private static boolean awaitEnd(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }
}
