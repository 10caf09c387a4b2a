package io.selfheal.camel.schedule;

import io.selfheal.jdbc.JdbcSettings;
import io.selfheal.jdbc.PooledDataSource;
import io.selfheal.schedule.QuartzTables;
import io.selfheal.testing.TestContexts;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Two CamelContexts in one JVM on one clustered schedule in PostgreSQL (127.0.0.1:5432, db test), the same route on
 * both: a trigger of 50 firings fires each one exactly once, on one of them. Each firing writes its scheduled fire
 * time twice: into a log (every execution) and into a table with a UNIQUE constraint (the side effect).
 */
class ClusteredScheduleTest {
    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final int FIRINGS = 50;
    private static final long INTERVAL_MS = 100;

    private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private final String prefix = "t" + suffix + "_qrtz_";
    private final String log = "sched_log_" + suffix;
    private final String effects = "sched_effects_" + suffix;
    private final PooledDataSource pool = new PooledDataSource(new JdbcSettings(PG_URL, "postgres", "", 4,
            Duration.ofSeconds(5)), "clustered-schedule-test");
    private final List<CamelContext> contexts = new ArrayList<>();

    @BeforeEach
    void tables() throws SQLException {
        sql("CREATE TABLE " + log + " (scheduled_fire_time BIGINT NOT NULL, instance VARCHAR(20) NOT NULL)");
        sql("CREATE TABLE " + effects + " (scheduled_fire_time BIGINT NOT NULL UNIQUE, instance VARCHAR(20) NOT NULL)");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (CamelContext c : contexts) {
            c.stop();
        }
        new QuartzTables(pool, prefix).drop();
        sql("DROP TABLE IF EXISTS " + log);
        sql("DROP TABLE IF EXISTS " + effects);
        pool.close();
    }

    @Test
    void twoInstancesFireEachOfFiftyTriggersOnce() throws Exception {
        CamelContext a = start("a");
        assertThat(a.getComponent("quartz", QuartzComponent.class).getScheduler().getMetaData().isJobStoreClustered())
                .isTrue();
        CamelContext b = start("b");
        assertThat(b.getComponent("quartz", QuartzComponent.class).getScheduler())
                .isNotSameAs(a.getComponent("quartz", QuartzComponent.class).getScheduler());
        // one cluster: both instances check in under one scheduler name
        await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT COUNT(*) FROM " + prefix
                + "scheduler_state") == 2);

        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT COUNT(*) FROM " + effects) >= FIRINGS);
        // nothing fires beyond the 50th: give a late duplicate the time of a few more intervals to show
        await().pollDelay(Duration.ofMillis(INTERVAL_MS * 5)).until(() -> true);

        assertThat(count("SELECT COUNT(*) FROM " + log)).as("executions").isEqualTo(FIRINGS);
        assertThat(count("SELECT COUNT(DISTINCT scheduled_fire_time) FROM " + log)).isEqualTo(FIRINGS);
        assertThat(count("SELECT COUNT(*) FROM " + effects)).as("side effects").isEqualTo(FIRINGS);
        // the 50 fire times of the one trigger: none lost between the first and the last
        assertThat(count("SELECT (MAX(scheduled_fire_time) - MIN(scheduled_fire_time)) / " + INTERVAL_MS + " FROM "
                + log)).isEqualTo(FIRINGS - 1);
        Map<String, Integer> byInstance = byInstance();
        assertThat(byInstance.keySet()).isNotEmpty().isSubsetOf("a", "b");
        System.out.println("clustered schedule: firings by instance " + byInstance);
    }

    @Test
    void anUnreachableDatabaseStopsStartUpNamingItsKeyAndHidingThePassword() throws Exception {
        CamelContext ctx = TestContexts.create(TestContexts.scaled(
                "selfheal.schedule.clustered", "true",
                "selfheal.schedule.url", "jdbc:postgresql://127.0.0.1:1/test?connectTimeout=1",
                "selfheal.schedule.username", "postgres",
                "selfheal.schedule.password", "s3cret-schedule-pw",
                "selfheal.schedule.table-prefix", prefix));
        contexts.add(ctx);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("quartz://selfheal-test/down?trigger.repeatInterval=60000").routeId("down").to("log:down");
            }
        });
        assertThatThrownBy(ctx::start)
                .satisfies(e -> assertThat(causes(e)).contains("selfheal.schedule.url")
                        .contains("Quartz's tables").doesNotContain("s3cret-schedule-pw"));
    }

    private static String causes(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }

    @Test
    void offByDefaultTheScheduleStaysInMemory() throws Exception {
        CamelContext ctx = TestContexts.create(TestContexts.scaled());
        contexts.add(ctx);
        TestContexts.start(ctx, new RouteBuilder() {
            @Override
            public void configure() {
                from("quartz://selfheal-test/local?trigger.repeatInterval=60000").routeId("local").to("log:local");
            }
        });
        org.quartz.SchedulerMetaData meta = ctx.getComponent("quartz", QuartzComponent.class).getScheduler()
                .getMetaData();
        assertThat(meta.isJobStoreClustered()).isFalse();
        assertThat(meta.getJobStoreClass()).isEqualTo(org.quartz.simpl.RAMJobStore.class);
    }

    @Test
    void twoInstancesStartingTogetherShareTheNewTrigger() throws Exception {
        CamelContext a = create("a");
        CamelContext b = create("b");
        ExecutorService starters = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> starts = new ArrayList<>();
            for (CamelContext ctx : List.of(a, b)) {
                starts.add(starters.submit(() -> {
                    go.await();
                    ctx.start();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : starts) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            starters.shutdownNow();
        }
        assertThat(a.getRouteController().getRouteStatus("sync").isStarted()).isTrue();
        assertThat(b.getRouteController().getRouteStatus("sync").isStarted()).isTrue();

        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT COUNT(*) FROM " + effects) >= FIRINGS);
        await().pollDelay(Duration.ofMillis(INTERVAL_MS * 5)).until(() -> true);
        assertThat(count("SELECT COUNT(*) FROM " + log)).as("executions").isEqualTo(FIRINGS);
        assertThat(count("SELECT COUNT(DISTINCT scheduled_fire_time) FROM " + log)).isEqualTo(FIRINGS);
        assertThat(count("SELECT COUNT(*) FROM " + effects)).as("side effects").isEqualTo(FIRINGS);
        assertThat(count("SELECT (MAX(scheduled_fire_time) - MIN(scheduled_fire_time)) / " + INTERVAL_MS + " FROM "
                + log)).isEqualTo(FIRINGS - 1);
        System.out.println("clustered schedule, started together: firings by instance " + byInstance());
    }

    private CamelContext start(String instance) throws Exception {
        CamelContext ctx = create(instance);
        ctx.start();
        return ctx;
    }

    /** A context with the route, not started. */
    private CamelContext create(String instance) throws Exception {
        CamelContext ctx = TestContexts.create(TestContexts.scaled(
                "selfheal.schedule.clustered", "true",
                "selfheal.schedule.url", PG_URL,
                "selfheal.schedule.username", "postgres",
                "selfheal.schedule.table-prefix", prefix,
                "selfheal.schedule.check-in-interval", "500ms"));
        // one name on every instance: a job scheduled by one finds its CamelContext by this name on the other
        ctx.getCamelContextExtension().setName("clustered-schedule");
        contexts.add(ctx);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("quartz://selfheal-test/sync?trigger.repeatInterval=" + INTERVAL_MS + "&trigger.repeatCount="
                        + (FIRINGS - 1))
                        .routeId("sync")
                        .process(e -> record(e, instance));
            }
        });
        return ctx;
    }

    private void record(Exchange e, String instance) throws SQLException {
        long fireTime = e.getIn().getHeader("scheduledFireTime", Date.class).getTime();
        try (Connection c = pool.getConnection()) {
            for (String insert : List.of("INSERT INTO " + log + " VALUES (?, ?)",
                    "INSERT INTO " + effects + " VALUES (?, ?) ON CONFLICT (scheduled_fire_time) DO NOTHING")) {
                try (PreparedStatement p = c.prepareStatement(insert)) {
                    p.setLong(1, fireTime);
                    p.setString(2, instance);
                    p.executeUpdate();
                }
            }
        }
    }

    private Map<String, Integer> byInstance() throws SQLException {
        Map<String, Integer> out = new TreeMap<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT instance, COUNT(*) FROM " + log + " GROUP BY instance")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getInt(2));
            }
        }
        return out;
    }

    private int count(String query) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
