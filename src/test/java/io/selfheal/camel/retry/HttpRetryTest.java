package io.selfheal.camel.retry;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.testing.ScheduledWaits;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/** The recipe against a real HTTP server: classification, backoff, Retry-After, bounds and give-up reasons. */
class HttpRetryTest {
    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    private void startRoute(Map<String, String> props) throws Exception {
        ctx = contexts.start(props, new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:call").routeId("caller").routeConfigurationId("self-healing")
                        .to("http://127.0.0.1:" + wm.getPort() + "/item?httpMethod=GET&connectTimeout=2000&responseTimeout=3000");
            }
        });
    }

    private Exchange call() {
        return ctx.createProducerTemplate().request("direct:call", e -> e.getIn().setBody(null));
    }

    private void stubSequence(int... statuses) {
        String state = STARTED;
        for (int i = 0; i < statuses.length; i++) {
            String next = i == statuses.length - 1 ? state : "s" + (i + 1);
            wm.stubFor(get(urlEqualTo("/item")).inScenario("seq").whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(statuses[i]).withBody("status " + statuses[i]))
                    .willSetStateTo(next));
            state = next;
        }
    }

    @Test
    void transientFailuresAreRetriedUntilSuccess() throws Exception {
        stubSequence(503, 503, 200);
        startRoute(TestContexts.SCALED);
        Exchange out = call();
        assertThat(out.getException()).isNull();
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("status 200");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(3);
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("TRANSIENT");
        wm.verify(3, getRequestedFor(urlEqualTo("/item")));
    }

    @Test
    void badRequestIsNotRetried() throws Exception {
        wm.stubFor(get(urlEqualTo("/item")).willReturn(aResponse().withStatus(400)));
        startRoute(TestContexts.SCALED);
        Exchange out = call();
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("PERMANENT");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(1);
        wm.verify(1, getRequestedFor(urlEqualTo("/item")));
    }

    @Test
    void notImplementedIsNotRetried() throws Exception {
        wm.stubFor(get(urlEqualTo("/item")).willReturn(aResponse().withStatus(501)));
        startRoute(TestContexts.SCALED);
        Exchange out = call();
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("PERMANENT");
        wm.verify(1, getRequestedFor(urlEqualTo("/item")));
    }

    @Test
    void retryAfterSecondsIsHonoured() throws Exception {
        wm.stubFor(get(urlEqualTo("/item")).inScenario("ra").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("retry-after", "1")).willSetStateTo("ok"));
        wm.stubFor(get(urlEqualTo("/item")).inScenario("ra").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody("ok")));
        startRoute(TestContexts.SCALED);
        Exchange out = call();
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("ok");
        List<LoggedRequest> requests = wm.findAll(getRequestedFor(urlEqualTo("/item")));
        assertThat(requests).hasSize(2);
        Duration gap = Duration.between(requests.get(0).getLoggedDate().toInstant(), requests.get(1).getLoggedDate().toInstant());
        assertThat(gap).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("RECOVERABLE");
    }

    @Test
    void retryAfterHttpDateIsHonoured() throws Exception {
        // the server's clock says "now"; it asks for a retry one second later, as an HTTP-date
        Instant stated = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
        String httpDate = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(stated, ZoneOffset.UTC));
        wm.stubFor(get(urlEqualTo("/item")).inScenario("ra").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", httpDate)).willSetStateTo("ok"));
        wm.stubFor(get(urlEqualTo("/item")).inScenario("ra").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody("ok")));
        startRoute(TestContexts.SCALED);
        Exchange out = call();
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("ok");
        List<LoggedRequest> requests = wm.findAll(getRequestedFor(urlEqualTo("/item")));
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).getLoggedDate().toInstant()).isAfterOrEqualTo(stated);
    }

    @Test
    void retryAfterBeyondTheCapGivesUpAfterOneCall() throws Exception {
        wm.stubFor(get(urlEqualTo("/item")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")));
        startRoute(TestContexts.SCALED);
        Exchange out = call();
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("RETRY_AFTER_BEYOND_CAP");
        wm.verify(1, getRequestedFor(urlEqualTo("/item")));
    }

    @Test
    void attemptsBoundCountsTheFirstCall() throws Exception {
        wm.stubFor(get(urlEqualTo("/item")).willReturn(aResponse().withStatus(503)));
        startRoute(TestContexts.scaled("selfheal.defaults.max-attempts", "5"));
        Exchange out = call();
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(5);
        wm.verify(5, getRequestedFor(urlEqualTo("/item")));
    }

    @Test
    void durationBoundStopsBeforeTheDeadline() throws Exception {
        wm.stubFor(get(urlEqualTo("/item")).willReturn(aResponse().withStatus(503)));
        // 50 attempts at 100ms (jitter 0) would take ~5s; the deadline is 1s after the first failure
        startRoute(TestContexts.scaled("selfheal.defaults.max-attempts", "50", "selfheal.defaults.initial-delay", "100ms",
                "selfheal.defaults.multiplier", "1", "selfheal.defaults.jitter", "0", "selfheal.defaults.max-duration", "1s"));
        ScheduledWaits waits = ScheduledWaits.install(ctx);
        Exchange out = call();
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("DURATION");
        List<LoggedRequest> requests = wm.findAll(getRequestedFor(urlEqualTo("/item")));
        // at most the 100ms steps that fit in 1s after the first failure (a loaded machine fires timers late: fewer)
        assertThat(requests.size()).isBetween(2, 11);
        assertThat(waits.ends()).hasSize(requests.size() - 1);
        // no attempt was scheduled past the deadline: each wait ends by first failure + 1s, as decided (how late a
        // timer then fires is the machine's, so the wall-clock span of the requests is not what is asserted)
        assertThat(waits.ends()).allSatisfy(end -> assertThat(end).isLessThanOrEqualTo(Duration.ofSeconds(1)));
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP, io.selfheal.escalation.GiveUp.class).attempts())
                .isEqualTo(requests.size());
    }
}
