package io.selfheal.camel.breaker;

import io.selfheal.camel.AttemptListener;
import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.selfheal.breaker.BreakerRegistry;
import io.selfheal.breaker.BreakerTransition;
import io.selfheal.retry.DelaySource;
import io.selfheal.retry.RetryDecision;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Per-upstream circuit breakers against a real HTTP server, on scaled times. */
class BreakerTest {
    private static final String HOST = "127.0.0.1";
    private static final String BREAKER = "selfheal.breaker." + HOST + ".";

    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;
    private final List<BreakerTransition> transitions = new CopyOnWriteArrayList<>();

    private String url(String path) {
        return "http://" + HOST + ":" + wm.getPort() + path + "?httpMethod=GET&connectTimeout=2000&responseTimeout=3000";
    }

    /** Routes "a" and "b" call two paths of one upstream (the WireMock host). */
    private void start(Map<String, String> props) throws Exception {
        ctx = contexts.start(props, new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:a").routeId("a").routeConfigurationId("self-healing").to(url("/a"));
                from("direct:b").routeId("b").routeConfigurationId("self-healing").to(url("/b"));
                // a step before the call, and a dynamic call: refused and made attempts must still be one call site
                from("direct:c").routeId("c").routeConfigurationId("self-healing").to("log:before-c?level=DEBUG").to(url("/c"));
                from("direct:d").routeId("d").routeConfigurationId("self-healing").to("log:before-d?level=DEBUG")
                        .toD("http://" + HOST + ":" + wm.getPort() + "/d?httpMethod=GET&item=${header.item}");
            }
        });
        breakers().onTransitionEvent(transitions::add);
    }

    private BreakerRegistry breakers() {
        return SelfhealRuntime.of(ctx).breakers();
    }

    private CompletableFuture<Exchange> send(String route) {
        return ctx.createProducerTemplate().asyncSend("direct:" + route, e -> e.getIn().setBody(null));
    }

    private BreakerTransition transition(int index) {
        await().atMost(20, TimeUnit.SECONDS).until(() -> transitions.size() > index);
        return transitions.get(index);
    }

    private static Instant logged(LoggedRequest r) {
        return r.getLoggedDate().toInstant();
    }

    /**
     * Requests WireMock logged strictly inside (from, to), or within [from, to] when {@code inclusive}. WireMock logs
     * to the millisecond, so both ends are compared at that precision.
     */
    private List<LoggedRequest> requestsBetween(Instant from, Instant to, boolean inclusive) {
        List<LoggedRequest> out = new ArrayList<>();
        long start = from.toEpochMilli();
        long end = to.toEpochMilli();
        for (LoggedRequest r : wm.findAll(anyRequestedFor(anyUrl()))) {
            long at = logged(r).toEpochMilli();
            if (inclusive ? at >= start && at <= end : at > start && at < end) {
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void transientFailuresOpenTheBreakerThenProbesCloseItAndQueuedExchangesAreDelivered() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/a")).willReturn(aResponse().withStatus(503)));
        start(TestContexts.withBreakers(
                "selfheal.defaults.max-attempts", "40",
                BREAKER + "consecutive-failures", "3",
                BREAKER + "minimum-calls", "20",
                BREAKER + "wait-in-open", "500ms",
                BREAKER + "wait-in-open-multiplier", "2",
                BREAKER + "permitted-calls-in-half-open", "2",
                // the budget is not what this test is about
                "selfheal.budget.defaults.enabled", "false"));
        List<CompletableFuture<Exchange>> exchanges = new CopyOnWriteArrayList<>();
        List<Integer> requestsWhenOpened = new CopyOnWriteArrayList<>();
        breakers().onTransition((upstream, state) -> {
            if (state != State.OPEN) {
                return;
            }
            requestsWhenOpened.add(wm.findAll(anyRequestedFor(anyUrl())).size());
            if (requestsWhenOpened.size() == 1) {
                // queued while open: refused at the gate, they wait for the breaker
                for (int i = 0; i < 5; i++) {
                    exchanges.add(send("a"));
                }
            } else if (requestsWhenOpened.size() == 2) {
                // the upstream recovers while the breaker is open for the second time (the newest stub wins)
                wm.stubFor(get(urlPathEqualTo("/a")).willReturn(aResponse().withStatus(200).withBody("ok")));
            }
        });
        NotifyBuilder opened = new NotifyBuilder(ctx).fromRoute("selfheal-escalation")
                .filter(e -> SelfhealProperties.KIND_BREAKER_OPEN.equals(e.getProperty(SelfhealProperties.ESCALATION_KIND)))
                .whenDone(2).create();

        exchanges.add(send("a"));
        BreakerTransition open1 = transition(0);
        assertThat(open1.from()).isEqualTo(State.CLOSED);
        assertThat(open1.to()).isEqualTo(State.OPEN);
        assertThat(open1.reason()).isEqualTo("3 consecutive failures");
        assertThat(open1.openFor()).isBetween(Duration.ofMillis(400), Duration.ofMillis(500));
        // the third failure in a row opened it
        assertThat(requestsWhenOpened.get(0)).isEqualTo(3);

        BreakerTransition half1 = transition(1);
        assertThat(half1.to()).isEqualTo(State.HALF_OPEN);
        BreakerTransition open2 = transition(2);
        assertThat(open2.from()).isEqualTo(State.HALF_OPEN);
        assertThat(open2.to()).isEqualTo(State.OPEN);
        BreakerTransition half2 = transition(3);
        assertThat(half2.to()).isEqualTo(State.HALF_OPEN);
        BreakerTransition closed = transition(4);
        assertThat(closed.from()).isEqualTo(State.HALF_OPEN);
        assertThat(closed.to()).isEqualTo(State.CLOSED);

        assertThat(exchanges).hasSize(6);
        List<Exchange> done = new ArrayList<>();
        for (CompletableFuture<Exchange> f : exchanges) {
            done.add(f.get(20, TimeUnit.SECONDS));
        }
        // every queued exchange was delivered once the probes succeeded
        assertThat(done).allSatisfy(e -> {
            assertThat(e.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
            assertThat(e.getMessage().getBody(String.class)).isEqualTo("ok");
        });

        // while open (from the transition until the instant its wait ends), the upstream saw nothing
        Instant probesFrom1 = open1.at().plus(open1.openFor());
        Instant probesFrom2 = open2.at().plus(open2.openFor());
        assertThat(requestsBetween(open1.at(), probesFrom1, false)).isEmpty();
        assertThat(requestsBetween(open2.at(), probesFrom2, false)).isEmpty();
        // then half-open let exactly the permitted probes through, and they failed
        assertThat(requestsBetween(probesFrom1, open2.at(), true)).hasSize(2);
        // the failed probes re-opened it for longer
        assertThat(open2.openFor()).isBetween(Duration.ofMillis(900), Duration.ofMillis(1000));
        assertThat(Duration.between(open1.at(), half1.at())).isGreaterThanOrEqualTo(Duration.ofMillis(490));
        assertThat(Duration.between(open2.at(), half2.at())).isGreaterThanOrEqualTo(Duration.ofMillis(990));
        // 3 failures, 2 failed probes, then the 6 exchanges (two of them as the successful probes)
        assertThat(wm.findAll(anyRequestedFor(anyUrl()))).hasSize(3 + 2 + 6);
        assertThat(breakers().state(HOST)).isEqualTo(State.CLOSED);

        // each opening went to the escalation endpoint as a breaker event
        assertThat(opened.matches(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void refusedCallsWaitAsLongAsTheBreakerSaysAndOnlyCallsSpendAttempts() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/a")).willReturn(aResponse().withStatus(503)));
        start(TestContexts.withBreakers(
                "selfheal.defaults.max-attempts", "5",
                BREAKER + "consecutive-failures", "2",
                BREAKER + "permitted-calls-in-half-open", "1",
                BREAKER + "wait-in-open", "200ms",
                BREAKER + "wait-in-open-max", "200ms",
                "selfheal.budget.defaults.enabled", "false"));
        // a long outage: after the second failure the breaker opens; the exchange waits out each cooldown (refused,
        // no call), and each failed probe is one of its calls, until its fifth call fails
        Exchange out = send("a").get(20, TimeUnit.SECONDS);
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(5);
        RetryDecision last = ExchangeState.decision(out);
        assertThat(last.retry()).isFalse();
        io.selfheal.retry.AttemptHistory history = ExchangeState.history(out);
        // the outcomes are the calls; the refusals between them are counted apart, and never reached the upstream
        assertThat(history.outcomes()).containsExactly("HTTP 503", "HTTP 503", "HTTP 503", "HTTP 503", "HTTP 503");
        // the backoffs after the second and the third call (40 ms and 80 ms, ± 50 %) end inside the 200 ms cooldown
        assertThat(history.refusals()).isGreaterThanOrEqualTo(2);
        assertThat(wm.findAll(anyRequestedFor(anyUrl()))).hasSize(5);
    }

    @Test
    void refusedAndMadeAttemptsCountAsOneHistory() throws Exception {
        for (String path : List.of("/c", "/d")) {
            wm.stubFor(get(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs(STARTED)
                    .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
            wm.stubFor(get(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs("up")
                    .willReturn(aResponse().withStatus(200).withBody("ok")));
        }
        start(TestContexts.withBreakers(
                "selfheal.defaults.max-attempts", "20",
                BREAKER + "consecutive-failures", "1",
                BREAKER + "permitted-calls-in-half-open", "1",
                BREAKER + "wait-in-open", "200ms",
                BREAKER + "wait-in-open-max", "200ms",
                "selfheal.budget.defaults.enabled", "false"));
        for (String route : List.of("c", "d")) {
            breakers().forUpstream(HOST).circuitBreaker().transitionToOpenState();
            Exchange out = ctx.createProducerTemplate().send("direct:" + route, e -> e.getIn().setHeader("item", "7"));
            assertThat(out.getMessage().getBody(String.class)).isEqualTo("ok");
            // refused first, then the probe got a 503 (which opened it again), refused again, then a probe succeeded:
            // one history holds the refusals and the failed call (it would restart if the two were different call sites)
            io.selfheal.retry.AttemptHistory history = ExchangeState.history(out);
            assertThat(history.outcomes()).as(route).containsExactly("HTTP 503");
            assertThat(history.refusals()).as(route).isGreaterThanOrEqualTo(2);
            // the call that succeeded was the second one made
            assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        }
        wm.verify(2, getRequestedFor(urlPathEqualTo("/c")));
        wm.verify(2, getRequestedFor(urlPathEqualTo("/d")));
    }

    @Test
    void badRequestsDoNotOpenTheBreaker() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/a")).willReturn(aResponse().withStatus(400)));
        start(TestContexts.withBreakers(
                BREAKER + "consecutive-failures", "3",
                BREAKER + "minimum-calls", "5",
                BREAKER + "sliding-window-size", "10"));
        for (int i = 0; i < 20; i++) {
            Exchange out = send("a").get(10, TimeUnit.SECONDS);
            assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("PERMANENT");
        }
        wm.verify(20, getRequestedFor(urlPathEqualTo("/a")));
        assertThat(breakers().state(HOST)).isEqualTo(State.CLOSED);
        assertThat(transitions).isEmpty();
        // a 400 shows the upstream answers: for the breaker it is a success
        assertThat(breakers().forUpstream(HOST).circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(breakers().forUpstream(HOST).circuitBreaker().getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(10);
    }

    @Test
    void failureRateOverTheWindowOpensTheBreaker() throws Exception {
        // alternate 500 and 200: no two failures in a row, but half the calls fail
        String state = STARTED;
        for (int i = 0; i < 10; i++) {
            String next = "s" + (i + 1);
            wm.stubFor(get(urlPathEqualTo("/a")).inScenario("alt").whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(i % 2 == 0 ? 500 : 200)).willSetStateTo(next));
            state = next;
        }
        start(TestContexts.withBreakers(
                "selfheal.defaults.max-attempts", "1",
                BREAKER + "consecutive-failures", "0",
                BREAKER + "sliding-window-size", "10",
                BREAKER + "minimum-calls", "10",
                BREAKER + "failure-rate-threshold", "50",
                BREAKER + "wait-in-open", "5s",
                BREAKER + "wait-in-open-max", "5s",
                // the refused call below cannot wait the 5 s for the probe within this bound: it gives up at once
                "selfheal.defaults.max-duration", "2s"));
        for (int i = 0; i < 10; i++) {
            send("a").get(10, TimeUnit.SECONDS);
        }
        assertThat(breakers().state(HOST)).isEqualTo(State.OPEN);
        assertThat(transition(0).reason()).startsWith("failure rate 50.0 % over 10 calls");
        Exchange refused = send("a").get(10, TimeUnit.SECONDS);
        assertThat(refused.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("RECOVERABLE");
        assertThat(refused.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("BREAKER_OPEN");
        wm.verify(10, getRequestedFor(urlPathEqualTo("/a")));
    }

    @Test
    void twoRoutesCallingOneUpstreamShareItsBreaker() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/a")).willReturn(aResponse().withStatus(503)));
        wm.stubFor(get(urlPathEqualTo("/b")).willReturn(aResponse().withStatus(200).withBody("b")));
        start(TestContexts.withBreakers(
                "selfheal.defaults.max-attempts", "3",
                // a refused call is told to wait 5s, beyond this cap: it gives up at once, as BREAKER_OPEN
                "selfheal.defaults.retry-after-max", "1s",
                BREAKER + "consecutive-failures", "3",
                BREAKER + "wait-in-open", "5s",
                BREAKER + "wait-in-open-max", "5s"));
        Exchange a = send("a").get(10, TimeUnit.SECONDS);
        assertThat(a.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        assertThat(breakers().state(HOST)).isEqualTo(State.OPEN);

        Exchange b = send("b").get(10, TimeUnit.SECONDS);
        assertThat(b.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("BREAKER_OPEN");
        assertThat(b.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("RECOVERABLE");
        // b was turned away before any call: no attempt was spent
        assertThat(b.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isZero();
        wm.verify(3, getRequestedFor(urlPathEqualTo("/a")));
        wm.verify(0, getRequestedFor(urlPathEqualTo("/b")));
    }

    @Test
    void serviceUnavailableWithRetryAfterFromOneRouteHoldsBackAnotherRouteToTheSameUpstream() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/a")).inScenario("ra").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "1")).willSetStateTo("ok"));
        wm.stubFor(get(urlPathEqualTo("/a")).inScenario("ra").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody("a")));
        wm.stubFor(get(urlPathEqualTo("/b")).willReturn(aResponse().withStatus(200).withBody("b")));
        start(TestContexts.withBreakers());

        CompletableFuture<Exchange> a = send("a");
        await().atMost(10, TimeUnit.SECONDS).until(() -> breakers().forUpstream(HOST).holdUntil().isAfter(Instant.now()));
        Exchange b = send("b").get(10, TimeUnit.SECONDS);
        assertThat(a.get(10, TimeUnit.SECONDS).getMessage().getBody(String.class)).isEqualTo("a");
        assertThat(b.getMessage().getBody(String.class)).isEqualTo("b");

        Instant limited = logged(wm.findAll(getRequestedFor(urlPathEqualTo("/a"))).get(0));
        List<LoggedRequest> toB = wm.findAll(getRequestedFor(urlPathEqualTo("/b")));
        assertThat(toB).hasSize(1);
        // route b did not call the upstream before the instant route a was given
        assertThat(logged(toB.get(0))).isAfterOrEqualTo(limited.plusSeconds(1));
        // b was held back (a wait, not an attempt: by the hold, then perhaps for a send slot as the held callers are
        // released paced), then its one call succeeded
        assertThat(b.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(1);
        assertThat(b.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("RECOVERABLE");
        io.selfheal.retry.AttemptHistory bHistory = ExchangeState.history(b);
        assertThat(bHistory.outcomes()).isEmpty();
        assertThat(bHistory.refusals()).isGreaterThanOrEqualTo(1);
        // an answer with Retry-After is no breaker failure
        assertThat(breakers().state(HOST)).isEqualTo(State.CLOSED);
    }

    @Test
    void theRetryBudgetStartsFullAgainWhenTheBreakerClosesAfterAnOutage() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/a")).willReturn(aResponse().withStatus(503)));
        start(TestContexts.withBreakers("selfheal.defaults.max-attempts", "3",
                BREAKER + "consecutive-failures", "3",
                BREAKER + "wait-in-open", "5s",
                BREAKER + "wait-in-open-max", "5s",
                BREAKER + "automatic-transition", "false"));
        send("a").get(10, TimeUnit.SECONDS);
        assertThat(breakers().state(HOST)).isEqualTo(State.OPEN);
        io.selfheal.breaker.RetryBudget budget = SelfhealRuntime.of(ctx).budgets().forUpstream(HOST);
        // the outage's retries spent tokens
        assertThat(budget.tokens()).isLessThan(budget.settings().maxTokens());
        double spent = budget.tokens();

        // the upstream is back: the probe succeeds and the breaker closes
        wm.stubFor(get(urlPathEqualTo("/a")).willReturn(aResponse().withStatus(200).withBody("a")));
        breakers().forUpstream(HOST).circuitBreaker().transitionToHalfOpenState();
        Exchange probe = send("a").get(10, TimeUnit.SECONDS);
        assertThat(probe.getMessage().getBody(String.class)).isEqualTo("a");
        assertThat(breakers().state(HOST)).isEqualTo(State.CLOSED);
        assertThat(budget.tokens()).isGreaterThan(spent).isEqualTo(budget.settings().maxTokens());
    }

    @Test
    void aTooManyRequestsRetryAfterBindsOnlyItsOwnExchange() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/a")).inScenario("ra").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("ok"));
        wm.stubFor(get(urlPathEqualTo("/a")).inScenario("ra").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody("a")));
        wm.stubFor(get(urlPathEqualTo("/b")).willReturn(aResponse().withStatus(200).withBody("b")));
        start(TestContexts.withBreakers());

        CompletableFuture<Exchange> a = send("a");
        await().atMost(10, TimeUnit.SECONDS).until(() -> !wm.findAll(getRequestedFor(urlPathEqualTo("/a"))).isEmpty());
        // a rate limiter's 429 is not an upstream-wide stop: nobody else is held back by it
        assertThat(breakers().forUpstream(HOST).holdUntil()).isBefore(Instant.now().plusMillis(1));
        Exchange b = send("b").get(10, TimeUnit.SECONDS);
        Exchange aOut = a.get(10, TimeUnit.SECONDS);
        assertThat(aOut.getMessage().getBody(String.class)).isEqualTo("a");
        assertThat(b.getMessage().getBody(String.class)).isEqualTo("b");
        io.selfheal.retry.AttemptHistory bHistory = ExchangeState.history(b);
        // b was not turned away by a Retry-After (at most paced by the send rate the 429 engaged)
        RetryDecision bWait = ExchangeState.decision(b);
        assertThat(bWait == null || bWait.source() != DelaySource.RETRY_AFTER).isTrue();
        // a itself still waited for its Retry-After
        List<LoggedRequest> toA = wm.findAll(getRequestedFor(urlPathEqualTo("/a")));
        assertThat(toA).hasSize(2);
        assertThat(logged(toA.get(1))).isAfterOrEqualTo(logged(toA.get(0)).plusSeconds(1));
        // the 429 moved neither the breaker nor the send rate: one throttle among successes is no limit
        assertThat(breakers().state(HOST)).isEqualTo(State.CLOSED);
        assertThat(breakers().forUpstream(HOST).circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(breakers().forUpstream(HOST).sendRate().engaged()).isFalse();
        assertThat(bHistory == null || bHistory.failures() == 0).isTrue();
    }

    @Test
    void refusedAttemptsCarryTheBreakerAsTheirDelaySource() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/a")).willReturn(aResponse().withStatus(503)));
        start(TestContexts.withBreakers(
                "selfheal.defaults.max-attempts", "2",
                BREAKER + "consecutive-failures", "2",
                BREAKER + "wait-in-open", "3s"));
        send("a").get(10, TimeUnit.SECONDS);
        assertThat(breakers().state(HOST)).isEqualTo(State.OPEN);
        // a fresh exchange is refused; the decision is to wait as long as the breaker says (under the 5s cap)
        List<RetryDecision> decisions = new CopyOnWriteArrayList<>();
        SelfhealRuntime.of(ctx).addListener(new AttemptListener() {
            @Override
            public RetryDecision onFailedAttempt(Exchange exchange, String upstream, io.selfheal.classify.Classification c,
                                                 io.selfheal.retry.AttemptHistory h, RetryDecision proposed) {
                decisions.add(proposed);
                return RetryDecision.giveUp(io.selfheal.retry.GiveUpReason.BREAKER_OPEN);
            }
        });
        Exchange b = send("b").get(10, TimeUnit.SECONDS);
        assertThat(decisions).hasSize(1);
        assertThat(decisions.get(0).retry()).isTrue();
        assertThat(decisions.get(0).source()).isEqualTo(DelaySource.BREAKER);
        assertThat(decisions.get(0).delay()).isBetween(Duration.ofMillis(2000), Duration.ofMillis(3001));
        assertThat(b.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("BREAKER_OPEN");
        wm.verify(0, getRequestedFor(urlPathEqualTo("/b")));
    }
}
