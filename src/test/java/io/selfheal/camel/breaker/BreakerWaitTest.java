package io.selfheal.camel.breaker;

import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.testing.LogCapture;
import io.selfheal.testing.ScheduledWaits;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.selfheal.breaker.BreakerRegistry;
import io.selfheal.breaker.BreakerTransition;
import io.selfheal.escalation.GiveUp;
import io.selfheal.observe.SelfhealMeters;
import io.selfheal.retry.AttemptHistory;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An attempt the gate turns away (the upstream's breaker is open, or a Retry-After hold is on) is a wait, not an
 * attempt at the upstream: it spends no max-attempts, only max-duration bounds it, and it is never reported as a call.
 * Against a real HTTP server, on scaled times.
 * <p>
 * A long outage is played by holding the breaker forced-open from the moment it opens, as failing probes from other
 * traffic would keep it open: the exchange under test then meets nothing but refusals, each one cooldown long, and its
 * own calls are exactly the ones the test counts. (Re-opening it at each half-open instead let a waiting call slip
 * through between the two transitions, on the breaker's timer thread.)
 */
class BreakerWaitTest {
    private static final String HOST = "127.0.0.1";
    private static final String BREAKER = "selfheal.breaker." + HOST + ".";
    private static final long COOLDOWN_MS = 150;

    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;
    private final List<BreakerTransition> transitions = new CopyOnWriteArrayList<>();

    private String url(String path) {
        return "http://" + HOST + ":" + wm.getPort() + path + "?httpMethod=GET&connectTimeout=2000&responseTimeout=3000";
    }

    private void start(Map<String, String> props) throws Exception {
        ctx = contexts.create(props);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:a").routeId("a").routeConfigurationId("self-healing").to(url("/a"));
                from("direct:b").routeId("b").routeConfigurationId("self-healing").to(url("/b"));
            }
        });
        ctx.start();
        breakers().onTransitionEvent(transitions::add);
    }

    /** max-attempts 3, the breaker opens after 2 failures in a row and cools down for 150 ms each time. */
    private static Map<String, String> threeAttempts(String maxDuration) {
        return TestContexts.withBreakers(
                "selfheal.defaults.max-attempts", "3",
                "selfheal.defaults.max-duration", maxDuration,
                BREAKER + "consecutive-failures", "2",
                BREAKER + "permitted-calls-in-half-open", "1",
                BREAKER + "wait-in-open", COOLDOWN_MS + "ms",
                BREAKER + "wait-in-open-max", COOLDOWN_MS + "ms",
                // the budget is not what this test is about
                "selfheal.budget.defaults.enabled", "false");
    }

    private BreakerRegistry breakers() {
        return SelfhealRuntime.of(ctx).breakers();
    }

    private CircuitBreaker breaker() {
        return breakers().forUpstream(HOST).circuitBreaker();
    }

    /** Holds the breaker forced-open as soon as it opens: no probe goes out until the test lets one. */
    private void holdOpenOnceOpened() {
        breakers().onTransitionEvent(t -> {
            if (t.to() == State.OPEN) {
                breaker().transitionToForcedOpenState();
            }
        });
    }

    private long breakerWaits() {
        return registry().find(SelfhealMeters.WAIT).tags("source", "breaker").timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count).sum();
    }

    private long openings() {
        return transitions.stream().filter(t -> t.to() == State.OPEN).count();
    }

    private MeterRegistry registry() {
        return SelfhealRuntime.of(ctx).meters().registry();
    }

    private double attempts(String route, String kind) {
        return registry().find(SelfhealMeters.ATTEMPTS).tags("route", route, "kind", kind).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private double retries(String route) {
        return registry().find(SelfhealMeters.RETRIES).tags("route", route).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static Instant logged(LoggedRequest r) {
        return r.getLoggedDate().toInstant();
    }

    @Test
    void anExchangeOutlastsABreakerOpenLongerThanItsAttemptsAndIsDeliveredWhenTheUpstreamRecovers() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/a")).willReturn(aResponse().withStatus(503)));
        start(threeAttempts("20s"));
        holdOpenOnceOpened();
        try (LogCapture log = LogCapture.install().withLevel("io.selfheal.attempts", org.apache.logging.log4j.Level.DEBUG)) {
            var sent = ctx.createProducerTemplate().asyncSend("direct:a", e -> e.getIn().setBody(null));
            // turned away six times, one cooldown each (0.9 s): far more refusals than max-attempts 3 would allow as
            // calls; then the upstream recovers and the breaker lets one probe through
            await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(10)).until(() -> breakerWaits() >= 6);
            wm.stubFor(get(urlPathEqualTo("/a")).willReturn(aResponse().withStatus(200).withBody("ok")));
            breaker().transitionToHalfOpenState();
            Exchange out = sent.get(20, TimeUnit.SECONDS);

            assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
            assertThat(out.getMessage().getBody(String.class)).isEqualTo("ok");
            assertThat(openings()).isEqualTo(1);
            // two failed calls opened the breaker; the third call, the probe after the outage, succeeded
            wm.verify(3, getRequestedFor(urlPathEqualTo("/a")));
            assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(3);
            AttemptHistory history = ExchangeState.history(out);
            assertThat(history.failures()).isEqualTo(2);
            assertThat(history.outcomes()).containsExactly("HTTP 503", "HTTP 503");
            // it was turned away at least once per cooldown while the breaker stayed open
            assertThat(history.refusals()).isGreaterThanOrEqualTo(6);
            // no call went out while the breaker was open
            BreakerTransition firstOpen = transitions.stream().filter(t -> t.to() == State.OPEN).findFirst().orElseThrow();
            List<LoggedRequest> calls = wm.findAll(getRequestedFor(urlPathEqualTo("/a")));
            assertThat(logged(calls.get(2))).isAfterOrEqualTo(firstOpen.at().plusMillis(6 * COOLDOWN_MS - 20));

            // the log says which attempts were calls (WARN) and which were not made (a wait: DEBUG)
            List<LogCapture.Line> attemptLines = log.lines().stream().filter(l -> l.logger().equals("io.selfheal.attempts"))
                    .filter(l -> l.text().contains(out.getExchangeId())).toList();
            assertThat(attemptLines).allSatisfy(l -> assertThat(l.level())
                    .isEqualTo(l.text().contains(" not made: ") ? org.apache.logging.log4j.Level.DEBUG : org.apache.logging.log4j.Level.WARN));
            List<String> lines = attemptLines.stream().map(LogCapture.Line::text).toList();
            assertThat(lines.stream().filter(t -> t.contains(" failed: "))).hasSize(2)
                    .anySatisfy(t -> assertThat(t).startsWith("attempt 1/3 failed"))
                    .anySatisfy(t -> assertThat(t).startsWith("attempt 2/3 failed"));
            assertThat(lines.stream().filter(t -> t.contains(" not made: ")))
                    .hasSize(history.refusals())
                    .allSatisfy(t -> assertThat(t).startsWith("attempt 3/3 not made").contains("(breaker)")
                            .contains("event=attempt_refused"));
        }
        // the meters count calls: a first attempt, two retries, delivered on the third call; a refusal is no retry
        assertThat(attempts("a", "first")).isEqualTo(1);
        assertThat(attempts("a", "retry")).isEqualTo(2);
        assertThat(retries("a")).isEqualTo(2);
        DistributionSummary delivered = registry().find(SelfhealMeters.DELIVERIES_ATTEMPTS).tags("route", "a").summary();
        assertThat(delivered.count()).isEqualTo(1);
        assertThat(delivered.max()).isEqualTo(3);
        assertThat(breakerWaits()).isGreaterThanOrEqualTo(6);
    }

    @Test
    void anOutageLongerThanMaxDurationGivesUpAsBreakerOpenAtTheDeadlineNotAtMaxAttempts() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/a")).willReturn(aResponse().withStatus(503)));
        start(threeAttempts("1s"));
        // held open for good: every wait is then the longest cooldown and no probe goes out
        holdOpenOnceOpened();
        ScheduledWaits waits = ScheduledWaits.install(ctx);
        Exchange out = ctx.createProducerTemplate().asyncSend("direct:a", e -> e.getIn().setBody(null))
                .get(20, TimeUnit.SECONDS);

        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("BREAKER_OPEN");
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("RECOVERABLE");
        // it waited for the breaker until no wait fitted before the deadline (first failure + 1 s): it gave up within
        // the last cooldown before it (a late timer only makes that later), and never began a wait that would end past
        // it, as decided (not as a loaded machine's timers then fired)
        long elapsed = out.getProperty(SelfhealProperties.ELAPSED_MILLIS, Long.class);
        assertThat(elapsed).isGreaterThanOrEqualTo(1000 - COOLDOWN_MS - 50);
        assertThat(waits.ends()).isNotEmpty()
                .allSatisfy(end -> assertThat(end).isLessThanOrEqualTo(Duration.ofSeconds(1)));
        // ... with its third attempt never spent: two calls, then only refusals
        wm.verify(2, getRequestedFor(urlPathEqualTo("/a")));
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        GiveUp giveUp = out.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class);
        assertThat(giveUp.attempts()).isEqualTo(2);
        assertThat(giveUp.refusals()).isGreaterThanOrEqualTo(4);
        assertThat(giveUp.summary()).startsWith("tried 2 times over ")
                .contains("all attempts returned HTTP 503 from " + HOST + ", and was turned away ")
                .endsWith("[RECOVERABLE, BREAKER_OPEN]");
    }

    @Test
    void anExchangeThatMeetsOnlyAnOpenBreakerIsNeverCalledAndSaysSo() throws Exception {
        start(threeAttempts("600ms"));
        // forced open, not re-opened at each half-open: that let a waiting call slip through on the timer's thread
        breaker().transitionToForcedOpenState();
        Exchange out = ctx.createProducerTemplate().asyncSend("direct:b", e -> e.getIn().setBody(null))
                .get(20, TimeUnit.SECONDS);

        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("BREAKER_OPEN");
        assertThat(out.getProperty(SelfhealProperties.ELAPSED_MILLIS, Long.class)).isGreaterThanOrEqualTo(600 - COOLDOWN_MS - 50);
        wm.verify(0, anyRequestedFor(anyUrl()));
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isZero();
        GiveUp giveUp = out.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class);
        assertThat(giveUp.attempts()).isZero();
        assertThat(giveUp.outcomes()).isEmpty();
        assertThat(giveUp.summary()).startsWith("never called " + HOST + " in ")
                .contains("turned away " + giveUp.refusals() + " times by its circuit breaker or a Retry-After hold")
                .endsWith("[RECOVERABLE, BREAKER_OPEN]");
        // nothing was called, so nothing counts as a first attempt or a retry
        assertThat(attempts("b", "first") + attempts("b", "retry")).isZero();
        assertThat(retries("b")).isZero();
    }

    @Test
    void aRetryAfterHoldIsAWaitNotAnAttempt() throws Exception {
        // a 503 with Retry-After speaks for the whole upstream (a 429 binds only the exchange it answered)
        wm.stubFor(get(urlPathEqualTo("/a")).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "2")));
        wm.stubFor(get(urlPathEqualTo("/b")).willReturn(aResponse().withStatus(200).withBody("b")));
        // one call per exchange: an exchange held back by another's Retry-After must still get its one call
        start(TestContexts.withBreakers("selfheal.defaults.max-attempts", "1"));
        var a = ctx.createProducerTemplate().asyncSend("direct:a", e -> e.getIn().setBody(null));
        await().atMost(5, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(10))
                .until(() -> breakers().forUpstream(HOST).holdUntil().isAfter(Instant.now()));

        Exchange b = ctx.createProducerTemplate().asyncSend("direct:b", e -> e.getIn().setBody(null)).get(10, TimeUnit.SECONDS);
        assertThat(a.get(10, TimeUnit.SECONDS).getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        assertThat(b.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        assertThat(b.getMessage().getBody(String.class)).isEqualTo("b");
        AttemptHistory history = ExchangeState.history(b);
        assertThat(history.refusals()).isGreaterThanOrEqualTo(1);
        assertThat(history.failures()).isZero();
        assertThat(b.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(1);
        // b's one call came no earlier than a's Retry-After allowed
        Instant limited = logged(wm.findAll(getRequestedFor(urlPathEqualTo("/a"))).get(0));
        List<LoggedRequest> toB = wm.findAll(getRequestedFor(urlPathEqualTo("/b")));
        assertThat(toB).hasSize(1);
        assertThat(logged(toB.get(0))).isAfterOrEqualTo(limited.plus(Duration.ofSeconds(2)));
        // b's call is its first attempt, not a retry
        assertThat(attempts("b", "first")).isEqualTo(1);
        assertThat(attempts("b", "retry")).isZero();
        assertThat(retries("b")).isZero();
        assertThat(registry().find(SelfhealMeters.WAIT).tags("source", "retry-after").timer().count()).isGreaterThanOrEqualTo(1);
    }
}
