package io.selfheal.camel.breaker;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.selfheal.breaker.RetryBudget;
import io.selfheal.breaker.UpstreamBreaker;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A total outage (every call 503) with 200 messages and max-attempts 4. What is measured: the requests WireMock
 * receives, against the bound "first attempts + tokens the budget granted + half-open probes", and without a budget
 * against max-attempts × messages.
 */
class RetryBudgetOutageTest {
    private static final String HOST = "127.0.0.1";
    private static final int MESSAGES = 200;
    private static final int MAX_ATTEMPTS = 4;

    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock(o -> o.containerThreads(40));
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    @BeforeEach
    void startWireMock() {
        wm.stubFor(get(urlPathEqualTo("/outage")).willReturn(aResponse().withStatus(503)));
    }

    /** Sends the messages through a seda route with 20 consumers and counts the give-up reasons. */
    private Map<String, AtomicInteger> run(Map<String, String> props) throws Exception {
        ctx = contexts.start(props, new RouteBuilder() {
            @Override
            public void configure() {
                from("seda:work?concurrentConsumers=20&size=1000").routeId("worker").routeConfigurationId("self-healing")
                        .to("http://" + HOST + ":" + wm.getPort() + "/outage?httpMethod=GET&connectTimeout=2000&responseTimeout=3000");
            }
        });
        Map<String, AtomicInteger> reasons = new ConcurrentHashMap<>();
        NotifyBuilder done = new NotifyBuilder(ctx).fromRoute("worker").whenDone(MESSAGES).create();
        ctx.getManagementStrategy().addEventNotifier(new org.apache.camel.support.EventNotifierSupport() {
            @Override
            public void notify(org.apache.camel.spi.CamelEvent event) {
                if (event instanceof org.apache.camel.spi.CamelEvent.ExchangeCompletedEvent c
                        && "worker".equals(c.getExchange().getFromRouteId())) {
                    String r = c.getExchange().getProperty(SelfhealProperties.GIVE_UP_REASON, "none", String.class);
                    reasons.computeIfAbsent(r, k -> new AtomicInteger()).incrementAndGet();
                }
            }
        });
        for (int i = 0; i < MESSAGES; i++) {
            ctx.createProducerTemplate().sendBody("seda:work", "m" + i);
        }
        assertThat(done.matches(50, TimeUnit.SECONDS)).isTrue();
        // the NotifyBuilder may hear the last completion before this notifier does
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> reasons.values().stream().mapToInt(AtomicInteger::get).sum() >= MESSAGES);
        return reasons;
    }

    private int requests() {
        return wm.findAll(anyRequestedFor(anyUrl())).size();
    }

    private static Map<String, String> outage(String... keyValues) {
        Map<String, String> m = TestContexts.withBreakers(
                "selfheal.defaults.max-attempts", String.valueOf(MAX_ATTEMPTS),
                "selfheal.defaults.initial-delay", "10ms",
                "selfheal.defaults.max-delay", "40ms");
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void withoutBudgetEveryMessageMakesMaxAttemptsCalls() throws Exception {
        Map<String, AtomicInteger> reasons = run(outage(
                "selfheal.budget.defaults.enabled", "false",
                "selfheal.breaker.defaults.enabled", "false"));
        System.out.printf("outage, no budget, no breaker: %d messages -> %d requests, give-ups %s%n", MESSAGES, requests(), reasons);
        assertThat(requests()).isEqualTo(MAX_ATTEMPTS * MESSAGES);
        assertThat(reasons.get("ATTEMPTS")).hasValue(MESSAGES);
    }

    @Test
    void budgetLimitsRetriesToItsTokensDuringATotalOutage() throws Exception {
        Map<String, AtomicInteger> reasons = run(outage(
                "selfheal.breaker.defaults.enabled", "false"));
        RetryBudget budget = SelfhealRuntime.of(ctx).budgets().forUpstream(HOST);
        int tokens = budget.settings().maxTokens();
        System.out.printf("outage, budget, no breaker: %d messages -> %d requests (%d retries granted, %d denied), give-ups %s%n",
                MESSAGES, requests(), budget.granted(), budget.denied(), reasons);
        // nothing succeeds, so nothing refills: the outage costs at most max-tokens retries
        assertThat(budget.granted()).isLessThanOrEqualTo(tokens);
        assertThat(requests()).isEqualTo(MESSAGES + (int) budget.granted());
        assertThat(requests()).isLessThanOrEqualTo(MESSAGES + tokens);
        // at most 10 % more than the first attempts
        assertThat(requests()).isLessThanOrEqualTo((int) (MESSAGES * 1.10));
        assertThat(reasons.get("BUDGET_EXHAUSTED").get()).isGreaterThanOrEqualTo(MESSAGES - tokens);
        assertThat(budget.denied()).isGreaterThanOrEqualTo(MESSAGES - tokens);
    }

    @Test
    void withBreakerAndBudgetTheUpstreamSeesAtMostFirstAttemptsPlusGrantedRetriesPlusProbes() throws Exception {
        Map<String, AtomicInteger> reasons = run(outage(
                // the outage outlasts max-duration: the messages the breaker keeps waiting give up at the deadline
                "selfheal.defaults.max-duration", "3s",
                "selfheal.breaker.defaults.consecutive-failures", "5",
                "selfheal.breaker.defaults.wait-in-open", "200ms",
                "selfheal.breaker.defaults.wait-in-open-max", "200ms"));
        RetryBudget budget = SelfhealRuntime.of(ctx).budgets().forUpstream(HOST);
        UpstreamBreaker breaker = SelfhealRuntime.of(ctx).breakers().forUpstream(HOST);
        System.out.printf("outage, budget and breaker: %d messages -> %d requests (%d retries granted, %d probes, %d refused at the gate), give-ups %s%n",
                MESSAGES, requests(), budget.granted(), breaker.probes(), breaker.refusals(), reasons);
        assertThat(requests()).isLessThanOrEqualTo(MESSAGES + (int) budget.granted() + (int) breaker.probes());
        assertThat(requests()).isLessThanOrEqualTo(MESSAGES + budget.settings().maxTokens() + (int) breaker.probes());
        // while it was open, the breaker turned the messages away: most were never called at all ...
        assertThat(breaker.refusals()).isPositive();
        assertThat(requests()).isLessThan(MESSAGES);
        // ... and those waited for it until max-duration, spending no attempt: they gave up as BREAKER_OPEN
        assertThat(reasons.get("BREAKER_OPEN").get()).isGreaterThanOrEqualTo(MESSAGES - requests());
        assertThat(reasons.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(MESSAGES);
        assertThat(reasons).doesNotContainKey("none");
    }
}
