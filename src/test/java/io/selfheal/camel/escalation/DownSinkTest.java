package io.selfheal.camel.escalation;

import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.LogCapture;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.selfheal.escalation.ParkedStatus;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Alert sinks that are down (one hangs past its timeout, one refuses connections) neither slow the pipeline beyond a
 * bound nor lose a parked record; the failures and the dropped alerts are logged.
 */
class DownSinkTest {
    /**
     * Far above what a give-up takes even on a loaded machine (tens of milliseconds), so a give-up that waited for the
     * hanging sink is told from one that did not by a wide margin, not by how busy the machine is.
     */
    static final Duration SINK_TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    @RegisterExtension
    final WireMockExtension hangingHook = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    @BeforeEach
    void start() {
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(400)));
        hangingHook.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(200).withFixedDelay(30_000)));
    }

    @Test
    void aHangingWebhookDoesNotHoldUpGiveUpsNorLoseParkedRecords() throws Exception {
        try (LogCapture log = LogCapture.install()) {
            Map<String, String> props = TestContexts.scaled(EscalationTests.h2Store(),
                    "selfheal.alert.sinks", "log,webhook,alertmanager",
                    "selfheal.alert.webhook.url", "http://127.0.0.1:" + hangingHook.getPort() + "/hook",
                    // nothing listens there: connection refused
                    "selfheal.alert.alertmanager.url", "http://127.0.0.1:" + EscalationTests.freePort(),
                    // no grouping: every give-up is an alert, to load the sinks
                    "selfheal.alert.group-window", "0s",
                    "selfheal.alert.timeout", SINK_TIMEOUT.toMillis() + "ms",
                    "selfheal.alert.retry.max-attempts", "2",
                    "selfheal.alert.retry.delay", "50ms",
                    "selfheal.alert.queue-capacity", "10");
            ctx = contexts.start(props, new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:order").routeId("orders").routeConfigurationId("self-healing")
                            .setProperty("SelfhealUpstream", constant("inventory"))
                            .to("http://127.0.0.1:" + upstream.getPort() + "/orders?httpMethod=POST");
                }
            });

            ExecutorService callers = Executors.newFixedThreadPool(5);
            List<Future<Long>> calls = new ArrayList<>();
            long startAll = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                int n = i;
                calls.add(callers.submit(() -> {
                    long t0 = System.nanoTime();
                    Exchange out = ctx.createProducerTemplate().request("direct:order", e -> {
                        e.getIn().setHeader("Idempotency-Key", "k-" + n);
                        e.getIn().setBody("order " + n);
                    });
                    assertThat(out.getException()).isNull();
                    assertThat(out.getProperty(Escalator.PARKED_ID)).isNotNull();
                    return System.nanoTime() - t0;
                }));
            }
            long slowest = 0;
            for (Future<Long> f : calls) {
                slowest = Math.max(slowest, f.get(60, TimeUnit.SECONDS));
            }
            callers.shutdown();
            Duration all = Duration.ofNanos(System.nanoTime() - startAll);

            // a generous bound: no give-up waited for a sink (one send alone may take SINK_TIMEOUT, with retries twice
            // that), and the 50 together took less than one sink timeout per give-up would have
            assertThat(Duration.ofNanos(slowest)).isLessThan(SINK_TIMEOUT);
            assertThat(all).isLessThan(SINK_TIMEOUT.multipliedBy(10));

            // nothing lost: every give-up is parked
            assertThat(EscalationServices.of(ctx).store().list(ParkedStatus.PARKED, "inventory", 100)).hasSize(50);

            // the sinks that are down are logged, not fatal
            AlertServiceProbe probe = new AlertServiceProbe(EscalationServices.of(ctx));
            await().atMost(Duration.ofSeconds(20)).until(() -> log.all().contains("alert sink alertmanager http://127.0.0.1"));
            assertThat(log.all()).contains("failed 2 time(s), alert not delivered");
            assertThat(probe.dropped()).isGreaterThan(0);
            assertThat(log.all()).contains("is backed up (10 queued): alert dropped");
            // every alert reached the log: written by the log sink, or (its queue is bounded too, and on a loaded
            // machine its thread can fall behind 50 give-ups) named in full in the line that says it was dropped
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                List<String> lines = log.linesOf("io.selfheal.alert");
                long written = lines.stream().filter(l -> l.startsWith("ERROR") && l.contains("[selfheal] route orders")
                        && l.contains(" | {")).count();
                long droppedByLogSink = lines.stream().filter(l -> l.contains("alert sink log io.selfheal.alert is "
                        + "backed up") && l.contains("[selfheal] route orders")).count();
                return written > 0 && written + droppedByLogSink >= 50;
            });
        }
    }

    /** Reads the alert service's counters. */
    record AlertServiceProbe(EscalationServices services) {
        long dropped() {
            return services.alerts().dropped();
        }
    }
}
