package io.selfheal.camel.breaker;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.selfheal.breaker.BreakerTransition;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A polling route that depends on an upstream stops taking files while its breaker is open, and resumes after. */
class ConsumerPauseTest {
    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;
    private final List<BreakerTransition> transitions = new CopyOnWriteArrayList<>();
    private final List<Instant> consumed = new CopyOnWriteArrayList<>();

    @TempDir
    Path inbox;

    @BeforeEach
    void startWireMock() {
        wm.stubFor(get(urlPathEqualTo("/inventory")).willReturn(aResponse().withStatus(503)));
    }

    private Consumer poller() {
        return ctx.getRoute("poller").getConsumer();
    }

    @Test
    void pollingConsumerIsPausedWhileItsUpstreamsBreakerIsOpen() throws Exception {
        ctx = contexts.start(TestContexts.withBreakers(
                "selfheal.defaults.max-attempts", "2",
                "selfheal.breaker.inventory.consecutive-failures", "2",
                "selfheal.breaker.inventory.wait-in-open", "1500ms"), new RouteBuilder() {
            @Override
            public void configure() {
                from("file:" + inbox + "?delay=20&initialDelay=0").routeId("poller")
                        .routePolicy(UpstreamDependencyPolicy.on("inventory"))
                        .process(e -> consumed.add(Instant.now()));
                from("direct:call").routeId("caller").routeConfigurationId("self-healing")
                        .setProperty(SelfhealProperties.UPSTREAM, constant("inventory"))
                        .to("http://127.0.0.1:" + wm.getPort() + "/inventory?httpMethod=GET");
            }
        });
        SelfhealRuntime.of(ctx).breakers().onTransitionEvent(transitions::add);
        Files.writeString(inbox.resolve("before.txt"), "x");
        await().atMost(10, TimeUnit.SECONDS).until(() -> consumed.size() == 1);

        // the upstream goes down: two failures open its breaker
        ctx.createProducerTemplate().send("direct:call", e -> { });
        assertThat(SelfhealRuntime.of(ctx).breakers().state("inventory")).isEqualTo(State.OPEN);
        await().atMost(10, TimeUnit.SECONDS).until(() -> ServiceHelper.isSuspended(poller()));
        for (int i = 0; i < 3; i++) {
            Files.writeString(inbox.resolve("during-" + i + ".txt"), "x");
        }
        wm.stubFor(get(urlPathEqualTo("/inventory")).willReturn(aResponse().withStatus(200)));

        // resumed when the breaker goes half-open; the files left waiting are taken then
        await().atMost(10, TimeUnit.SECONDS).until(() -> consumed.size() == 4);
        BreakerTransition halfOpen = transitions.stream().filter(t -> t.to() == State.HALF_OPEN).findFirst().orElseThrow();
        assertThat(consumed.subList(1, 4)).allSatisfy(at -> assertThat(at).isAfterOrEqualTo(halfOpen.at()));
        // the files waited for the breaker's cooldown (1.5 s from its opening, 0.1 s spared for the event's own time),
        // although the consumer polls every 20ms; measured from the transition, not from when this thread saw the pause
        // (a loaded machine sees it late)
        BreakerTransition opened = transitions.stream().filter(t -> t.to() == State.OPEN).findFirst().orElseThrow();
        assertThat(Duration.between(opened.at(), consumed.get(1))).isGreaterThan(Duration.ofMillis(1400));
        assertThat(ServiceHelper.isSuspended(poller())).isFalse();

        // and it keeps consuming once the upstream is back
        ctx.createProducerTemplate().send("direct:call", e -> { });
        Files.writeString(inbox.resolve("after.txt"), "x");
        await().atMost(10, TimeUnit.SECONDS).until(() -> consumed.size() == 5);
        assertThat(SelfhealRuntime.of(ctx).breakers().state("inventory")).isIn(State.HALF_OPEN, State.CLOSED);
    }

    @Test
    void aRouteStartedWhileItsUpstreamIsDownStartsPaused() throws Exception {
        ctx = contexts.start(TestContexts.withBreakers(
                "selfheal.breaker.inventory.wait-in-open", "1s"), new RouteBuilder() {
            @Override
            public void configure() {
                // the first poll waits a little: a consumer that polls at once may take one batch before it is paused
                from("file:" + inbox + "?delay=20&initialDelay=200").routeId("poller").autoStartup(false)
                        .routePolicy(UpstreamDependencyPolicy.on("pricing", "inventory"))
                        .process(e -> consumed.add(Instant.now()));
            }
        });
        SelfhealRuntime.of(ctx).breakers().onTransitionEvent(transitions::add);
        SelfhealRuntime.of(ctx).breakers().forUpstream("inventory").circuitBreaker().transitionToOpenState();
        Files.writeString(inbox.resolve("waiting.txt"), "x");
        ctx.getRouteController().startRoute("poller");
        await().atMost(10, TimeUnit.SECONDS).until(() -> ServiceHelper.isSuspended(poller()));
        await().atMost(10, TimeUnit.SECONDS).until(() -> consumed.size() == 1);
        // it stayed paused until the breaker let probes through
        BreakerTransition halfOpen = transitions.stream().filter(t -> t.to() == State.HALF_OPEN).findFirst().orElseThrow();
        assertThat(consumed.get(0)).isAfterOrEqualTo(halfOpen.at());
        BreakerTransition opened = transitions.stream().filter(t -> t.to() == State.OPEN).findFirst().orElseThrow();
        assertThat(Duration.between(opened.at(), consumed.get(0))).isGreaterThan(Duration.ofMillis(900));
    }
}
