package io.selfheal.camel.runs;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.selfheal.json.Json;
import io.selfheal.runs.JobRun;
import io.selfheal.runs.RunOutcome;
import io.selfheal.runs.RunPage;
import io.selfheal.runs.RunStore;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One page per run that needs a human, on the alert sinks (here a webhook): a PARTIAL run sends one page that says
 * the job, the run's trigger time, how many of its records were parked after how many attempts over how long, what
 * those attempts returned from which upstream, and the runbook; its records' give-ups send nothing of their own. A
 * HEALED run pages nothing.
 */
class RunPagesTest {
    private static final String RUNBOOK = "https://runbooks.example/nightly";

    @RegisterExtension
    WireMockExtension upstream = TestContexts.localWireMock();

    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();

    private String base() {
        return "http://127.0.0.1:" + upstream.getPort();
    }

    private JobRun run() throws Exception {
        upstream.stubFor(get(urlPathEqualTo("/ids")).willReturn(aResponse().withStatus(200).withBody("1\n2\n3\n4\n5")));
        upstream.stubFor(get(urlPathMatching("/price/.*")).atPriority(10).willReturn(aResponse().withStatus(200)));
        upstream.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(204)));
        CamelContext ctx = contexts.start(TestContexts.scaled(Map.of(
                "selfheal.defaults.max-attempts", "3",
                "selfheal.alert.sinks", "webhook",
                "selfheal.alert.webhook.url", base() + "/hook",
                "selfheal.jobs.nightly.runbook", RUNBOOK)), new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:nightly?repeatCount=1&delay=50").routeId("nightly").routeConfigurationId("self-healing")
                        .setProperty("SelfhealUpstream", constant("inventory-service"))
                        .to(base() + "/ids?httpMethod=GET")
                        .split(body().tokenize("\n"))
                            .setProperty("id", body())
                            .setBody(constant(""))
                            .toD(base() + "/price/${exchangeProperty.id}?httpMethod=GET")
                        .end();
            }
        });
        RunStore store = JobRuns.of(ctx).store();
        await().atMost(Duration.ofSeconds(30)).until(() -> store.runsOf("nightly", 1).stream().anyMatch(r -> !r.running()));
        JobRun run = store.runsOf("nightly", 1).get(0);
        // stopping the context sends what the sinks still hold
        ctx.stop();
        return run;
    }

    private List<Map<String, Object>> pages() {
        return upstream.findAll(postRequestedFor(urlPathEqualTo("/hook"))).stream()
                .map(r -> Json.readObject(r.getBodyAsString())).toList();
    }

    @Test
    void aPartialRunSendsOnePageThatSaysWhatIsMissingAndWhy() throws Exception {
        upstream.stubFor(get(urlPathMatching("/price/[24]")).atPriority(1).willReturn(aResponse().withStatus(500)));
        JobRun run = run();
        assertThat(run.outcome()).contains(RunOutcome.PARTIAL);

        List<Map<String, Object>> pages = pages();
        assertThat(pages).as("one page for the run, no alert per parked record").hasSize(1);
        Map<String, Object> page = pages.get(0);
        String text = (String) page.get("text");
        String trigger = DateTimeFormatter.ofPattern(run.triggerTime().atZone(ZoneOffset.UTC).getSecond() == 0
                && run.triggerTime().getNano() == 0 ? "HH:mm" : "HH:mm:ss").format(run.triggerTime().atZone(ZoneOffset.UTC));
        assertThat(text).startsWith("[selfheal] Job nightly, run of " + trigger + ": ")
                .contains("2 of 5 records parked")
                .contains("after retrying 3 times over ")
                .contains("all attempts returned 500 from inventory-service")
                .endsWith("(runbook: " + RUNBOOK + ")");
        assertThat(text).isEqualTo("[selfheal] " + RunPage.text(run, ZoneOffset.UTC, Optional.of(RUNBOOK)));
        assertThat(page).containsEntry("alert", "SelfhealJobRun").containsEntry("job", "nightly")
                .containsEntry("runId", run.runId()).containsEntry("outcome", "PARTIAL")
                .containsEntry("runbook", RUNBOOK).containsEntry("triggerTime", run.triggerTime().toString());
        assertThat(((Number) page.get("records")).longValue()).isEqualTo(5);
        assertThat(((Number) page.get("parked")).longValue()).isEqualTo(2);
        assertThat(((Number) page.get("parkedATTEMPTS")).longValue()).isEqualTo(2);
    }

    @Test
    void aHealedRunPagesNothing() throws Exception {
        upstream.stubFor(get(urlPathEqualTo("/price/3")).atPriority(1).inScenario("p3")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("ok").willReturn(aResponse().withStatus(503)));
        upstream.stubFor(get(urlPathEqualTo("/price/3")).atPriority(1).inScenario("p3")
                .whenScenarioStateIs("ok").willReturn(aResponse().withStatus(200)));
        JobRun run = run();
        assertThat(run.outcome()).contains(RunOutcome.HEALED);
        assertThat(run.counts().deliveredAfterRetries()).isEqualTo(1);
        assertThat(pages()).isEmpty();
    }
}
