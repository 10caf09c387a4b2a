package io.selfheal.camel.cli;

import io.selfheal.idempotency.TestDatabases;
import io.selfheal.runs.RunStore;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jobs command on PostgreSQL (127.0.0.1:5432, db test, user postgres): the same seeded runs, read through the
 * configured parked store's URL. The runs table has its default name, so it lives in a schema of this test's own.
 */
class JobsCommandPostgreSqlTest {
    private final String schema = ("jobscli_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    private final Map<String, String> previous = new HashMap<>();

    @AfterEach
    void restore() {
        previous.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
        TestDatabases.POSTGRESQL.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    @Test
    void listsRunsAndShowsAPartialRunFromPostgreSql() {
        TestDatabases.POSTGRESQL.exec("CREATE SCHEMA " + schema);
        Map<String, String> keys = Map.of("selfheal.parked.url", TestDatabases.POSTGRESQL.url + "?currentSchema=" + schema,
                "selfheal.parked.username", TestDatabases.POSTGRESQL.user,
                "selfheal.jobs.inventory-sync.runbook", JobsCommandTest.RUNBOOK,
                "selfheal.jobs.price-export.time-zone", "Europe/Berlin");
        keys.forEach((k, v) -> previous.put(k, System.setProperty(k, v)));
        MutableClock clock = new MutableClock(Instant.now());
        JobsCommandTest.Seeded seeded;
        try (RunStore store = new RunStore(SelfhealConfig.load(keys).parked().jdbc(), RunStore.DEFAULT_TABLE, "host-a",
                clock)) {
            seeded = JobsCommandTest.seed(store, clock);
        }

        SelfhealCommandTest.Run list = JobsCommandTest.jobs();
        assertThat(list.code()).as(list.err()).isZero();
        List<String> lines = list.out().lines().toList();
        assertThat(lines.get(1).split(" +")).containsExactly("inventory-sync",
                JobsCommandTest.utc(seeded.partial().triggerTime()), "PARTIAL", "5,000", "4m12s", "2", "50%", "5", "60%",
                "1.02");
        assertThat(lines.get(2)).startsWith("price-export ").endsWith("8.00  DEGRADING");

        SelfhealCommandTest.Run runs = JobsCommandTest.jobs("runs", "inventory-sync", "--outcome", "CLEAN", "--limit", "1");
        assertThat(runs.out().lines().skip(1).map(l -> l.split(" +")[0]).toList())
                .containsExactly(seeded.clean().runId());

        SelfhealCommandTest.Run show = JobsCommandTest.jobs("show", seeded.partial().runId());
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out()).contains("  outcome          PARTIAL")
                .contains(": 3 of 5,000 records parked after retrying 8 times over 4m12s; all attempts returned 500 "
                        + "from inventory-service (runbook: " + JobsCommandTest.RUNBOOK + ")")
                .contains("parked list --status PARKED --upstream inventory-service");
        assertThat(JobsCommandTest.jobs("runs", "inventory-synk").err())
                .isEqualTo("jobs: no runs recorded for job 'inventory-synk'; did you mean 'inventory-sync'?\n");
    }
}
