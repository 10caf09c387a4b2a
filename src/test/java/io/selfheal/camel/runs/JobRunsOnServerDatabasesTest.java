package io.selfheal.camel.runs;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.selfheal.camel.escalation.EscalationServices;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.runs.JobRun;
import io.selfheal.runs.RunOutcome;
import io.selfheal.runs.RunStore;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With the parked store on PostgreSQL or MariaDB, a job's runs are recorded in the same database, and its parked
 * record keeps the run's id there.
 */
class JobRunsOnServerDatabasesTest {
    @RegisterExtension
    WireMockExtension upstream = TestContexts.localWireMock();

    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void aJobsRunAndItsParkedRecordAreInTheParkedStoresDatabase(String db) throws Exception {
        String url = db.equals("postgresql") ? "jdbc:postgresql://127.0.0.1:5432/test" : "jdbc:mariadb://127.0.0.1:3306/test";
        String user = db.equals("postgresql") ? "postgres" : "root";
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String job = "nightly-" + suffix;
        String parkedTable = "runs_parked_" + suffix;
        upstream.stubFor(get(urlPathEqualTo("/ids")).willReturn(aResponse().withStatus(200).withBody("1,2")));
        upstream.stubFor(get(urlPathMatching("/price/1")).willReturn(aResponse().withStatus(200)));
        upstream.stubFor(get(urlPathMatching("/price/2")).willReturn(aResponse().withStatus(400)));
        String base = "http://127.0.0.1:" + upstream.getPort();
        try {
            CamelContext ctx = contexts.start(TestContexts.scaled(Map.of("selfheal.parked.url", url,
                    "selfheal.parked.username", user, "selfheal.parked.table", parkedTable,
                    "selfheal.parked.replay-poll-interval", "0s")), new RouteBuilder() {
                @Override
                public void configure() {
                    from("timer:" + job + "?repeatCount=1&delay=50").routeId(job).routeConfigurationId("self-healing")
                            .setProperty("SelfhealUpstream", constant("inventory-service"))
                            .to(base + "/ids?httpMethod=GET")
                            .split(body().tokenize(","))
                                .toD(base + "/price/${body}?httpMethod=GET")
                            .end();
                }
            });
            RunStore store = JobRuns.of(ctx).store();
            await().atMost(Duration.ofSeconds(30)).until(() -> store.runsOf(job, 5).stream().anyMatch(r -> !r.running()));
            JobRun run = store.runsOf(job, 5).get(0);
            assertThat(run.outcome()).contains(RunOutcome.PARTIAL);
            assertThat(run.counts().records()).isEqualTo(2);
            assertThat(run.counts().parked()).isEqualTo(1);
            List<ParkedMessage> parked = EscalationServices.of(ctx).store().list(null, null, 10);
            assertThat(parked).hasSize(1);
            assertThat(EscalationServices.of(ctx).store().find(parked.get(0).id()).orElseThrow().runId())
                    .isEqualTo(run.runId());
            ctx.stop();
        } finally {
            try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + parkedTable);
                s.execute("DROP TABLE IF EXISTS " + parkedTable + "_pollers");
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + RunStore.DEFAULT_TABLE + " WHERE job = ?")) {
                    ps.setString(1, job);
                    ps.executeUpdate();
                } catch (java.sql.SQLException e) {
                    // no runs table: the context never started, and the test has failed already
                }
            }
        }
    }
}
