package io.selfheal.camel.idempotency;

import io.selfheal.testing.TestContexts;

import io.selfheal.idempotency.TestDatabases;
import org.apache.camel.CamelContext;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two CamelContexts, standing in for two JVMs, each with its own connection pool, consume the same 5,000 keys at the
 * same time through one shared repository table: every key is processed exactly once.
 * <p>
 * The race is made real rather than hoped for: for the first {@value #CONTESTED} keys both contexts meet at a barrier
 * before either checks the key, so both check it while neither has decided. Who wins is not asserted (on a loaded
 * machine one context may win every race, and "both processed some" failed once as "context 1 processed 0").
 */
class IdempotencyConcurrencyTest {
    private static final int KEYS = 5_000;
    private static final int CONSUMERS_PER_CONTEXT = 8;
    /** Keys both contexts check only once both hold them. */
    private static final int CONTESTED = 200;

    private final List<CamelContext> contexts = new ArrayList<>();
    private TestDatabases db;
    private String table;

    @AfterEach
    void stop() throws Exception {
        for (CamelContext c : contexts) {
            c.stop();
        }
        if (db != null) {
            db.dropQuietly(table);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabases.class, names = {"POSTGRESQL", "MARIADB"})
    void twoProcessesOnOneSharedRepositoryProcessEveryKeyExactlyOnce(TestDatabases database) throws Exception {
        db = database;
        table = TestDatabases.uniqueTable("keys");
        Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        List<AtomicInteger> perContext = List.of(new AtomicInteger(), new AtomicInteger());
        List<AtomicInteger> checkedPerContext = List.of(new AtomicInteger(), new AtomicInteger());
        Map<String, CyclicBarrier> meetings = new ConcurrentHashMap<>();
        AtomicInteger contested = new AtomicInteger();

        for (int n = 0; n < 2; n++) {
            AtomicInteger mine = perContext.get(n);
            AtomicInteger checked = checkedPerContext.get(n);
            CamelContext c = TestContexts.start(TestContexts.scaled(
                    "selfheal.idempotency.url", db.url,
                    "selfheal.idempotency.username", db.user,
                    "selfheal.idempotency.table", table), new RouteBuilder() {
                @Override
                public void configure() {
                    from("seda:keys?concurrentConsumers=" + CONSUMERS_PER_CONTEXT + "&size=" + KEYS)
                            .routeId("consume").routeConfigurationId("self-healing")
                            .process(e -> {
                                checked.incrementAndGet();
                                String key = e.getIn().getHeader("key", String.class);
                                if (Integer.parseInt(key.substring("key-".length())) < CONTESTED) {
                                    // both contexts take keys in the same order, so the other one comes for this key
                                    // too: no consumer waits for a key the other context's consumers cannot reach
                                    meetings.computeIfAbsent(key, k -> new CyclicBarrier(2)).await(60, TimeUnit.SECONDS);
                                    contested.incrementAndGet();
                                }
                            })
                            .idempotentConsumer(header("key")).idempotentRepository("selfhealIdempotentRepository")
                            .skipDuplicate(false)
                            .choice()
                                .when(exchangeProperty(ExchangePropertyKey.DUPLICATE_MESSAGE.getName()))
                                    .process(e -> duplicates.incrementAndGet())
                                .otherwise()
                                    .process(e -> {
                                        processed.computeIfAbsent(e.getIn().getHeader("key", String.class),
                                                k -> new AtomicInteger()).incrementAndGet();
                                        mine.incrementAndGet();
                                    });
                }
            });
            contexts.add(c);
        }

        // both "processes" receive the same keys in the same order, released at the same moment: maximal contention
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> feeders = new ArrayList<>();
        long started = System.nanoTime();
        for (CamelContext c : contexts) {
            ProducerTemplate producer = c.createProducerTemplate();
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < KEYS; i++) {
                        producer.sendBodyAndHeader("seda:keys", "payload", "key", "key-" + i);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "feeder-" + c.getName());
            t.start();
            feeders.add(t);
        }
        go.countDown();
        for (Thread t : feeders) {
            t.join();
        }
        // a bound against a hang, not a speed: about 6 s on a quiet machine, over a minute for MariaDB with both cores
        // kept busy beside the build
        await().atMost(Duration.ofMinutes(4))
                .until(() -> perContext.get(0).get() + perContext.get(1).get() + duplicates.get() == 2 * KEYS);
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("%s: %d keys x 2 contexts in %d ms (%d key checks/s); context 1 processed %d, context 2 %d%n",
                database, KEYS, millis, 2L * KEYS * 1000 / Math.max(1, millis), perContext.get(0).get(),
                perContext.get(1).get());

        assertThat(processed).hasSize(KEYS);
        assertThat(processed.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
        assertThat(perContext.get(0).get() + perContext.get(1).get()).isEqualTo(KEYS);
        assertThat(duplicates.get()).isEqualTo(KEYS);
        // both checked every key, and the contested ones both at once: the races were real, whoever won them
        assertThat(checkedPerContext.get(0).get()).isEqualTo(KEYS);
        assertThat(checkedPerContext.get(1).get()).isEqualTo(KEYS);
        assertThat(contested.get()).isEqualTo(2 * CONTESTED);
        assertThat(db.count("SELECT COUNT(*) FROM " + table)).isEqualTo(KEYS);
    }
}
