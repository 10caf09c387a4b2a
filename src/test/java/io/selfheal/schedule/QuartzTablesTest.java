package io.selfheal.schedule;

import io.selfheal.jdbc.JdbcSettings;
import io.selfheal.jdbc.PooledDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Quartz's tables on PostgreSQL (127.0.0.1:5432, db test): created once, however many instances start together. */
class QuartzTablesTest {
    private static final JdbcSettings PG = new JdbcSettings("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "",
            8, Duration.ofSeconds(5));
    private final String prefix = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_qrtz_";
    private final PooledDataSource pool = new PooledDataSource(PG, "quartz-tables-test");

    @AfterEach
    void dropTables() throws Exception {
        new QuartzTables(pool, prefix).drop();
        pool.close();
    }

    @Test
    void theStatementsAreQuartzsCreatesWithThePrefix() {
        List<String> statements = new QuartzTables(pool, prefix).createStatements();
        assertThat(statements).allMatch(s -> s.startsWith("CREATE "));
        assertThat(statements).noneMatch(s -> s.toLowerCase().contains("qrtz_") && !s.toLowerCase().contains(prefix));
        assertThat(statements).anyMatch(s -> s.startsWith("CREATE TABLE " + prefix + "TRIGGERS"))
                .anyMatch(s -> s.startsWith("CREATE TABLE " + prefix + "SCHEDULER_STATE"))
                .anyMatch(s -> s.startsWith("CREATE INDEX IDX_" + prefix + "T_NEXT_FIRE_TIME"));
    }

    @Test
    void fourInstancesStartingTogetherCreateTheTablesOnce() throws Exception {
        int instances = 4;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(instances);
        try {
            List<Future<Boolean>> created = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                Callable<Boolean> start = () -> {
                    go.await();
                    return new QuartzTables(pool, prefix).createIfAbsent();
                };
                created.add(threads.submit(start));
            }
            go.countDown();
            int creators = 0;
            for (Future<Boolean> f : created) {
                creators += f.get() ? 1 : 0;
            }
            assertThat(creators).isEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
        assertThat(new QuartzTables(pool, prefix).createIfAbsent()).isFalse();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables WHERE table_name LIKE '"
                     + prefix.replace("_", "\\_") + "%'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(11);
        }
    }
}
