package io.selfheal.camel;

import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.selfheal.escalation.GiveUp;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.MessageHelper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Hostile bodies through a route that inherits {@code self-healing} and POSTs to a real server: random binary, empty,
 * 20 MB as bytes and 20 MB as a stream, each against an upstream that accepts, heals after a 503, always fails, or
 * rejects. Every message is delivered or handed to the escalation endpoint (never both, never neither), every attempt
 * carries the whole body (a retry does not send a drained stream), and the context keeps serving afterwards.
 */
class HostileBodyTest {
    private static final int MAX_ATTEMPTS = 3;
    private static final int LARGE = 20 * 1024 * 1024;
    private static final String PATH = "/sink";

    // registered in this order, so the context stops before its upstream does
    @RegisterExtension
    @Order(1)
    static final WireMockExtension wm = TestContexts.localWireMock();
    @RegisterExtension
    @Order(2)
    static final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private static CamelContext ctx;
    /** Exchanges handed to the escalation endpoint, by exchange id, with the digest of the body they carried there. */
    private static final Map<String, String> escalated = new ConcurrentHashMap<>();

    enum Body {
        RANDOM_BINARY(() -> random(64 * 1024, 1), false),
        EMPTY(() -> new byte[0], false),
        LARGE_BYTES(() -> random(LARGE, 2), false),
        LARGE_STREAM(() -> random(LARGE, 3), true);

        final Supplier<byte[]> bytes;
        final boolean asStream;

        Body(Supplier<byte[]> bytes, boolean asStream) {
            this.bytes = bytes;
            this.asStream = asStream;
        }
    }

    enum Upstream {
        ACCEPTS(1, null),
        HEALS_AFTER_503(2, null),
        ALWAYS_500(MAX_ATTEMPTS, "ATTEMPTS"),
        REJECTS_400(1, "PERMANENT");

        final int requests;
        final String giveUpReason;

        Upstream(int requests, String giveUpReason) {
            this.requests = requests;
            this.giveUpReason = giveUpReason;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        ctx = contexts.create(TestContexts.scaled("selfheal.defaults.max-attempts", String.valueOf(MAX_ATTEMPTS)));
        ctx.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) throws Exception {
                if (event instanceof CamelEvent.ExchangeSendingEvent e
                        && e.getEndpoint().getEndpointUri().equals("direct://selfheal-escalation")) {
                    // read a cached stream from its start, and leave it at its start for the escalation route
                    MessageHelper.resetStreamCache(e.getExchange().getIn());
                    escalated.put(e.getExchange().getExchangeId(), sha256(e.getExchange().getIn().getBody(byte[].class)));
                    MessageHelper.resetStreamCache(e.getExchange().getIn());
                }
            }
        });
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:post").routeId("hostile-body").routeConfigurationId("self-healing")
                        .setHeader(Exchange.CONTENT_TYPE, constant("application/octet-stream"))
                        .to("http://127.0.0.1:" + wm.getPort() + PATH + "?httpMethod=POST&responseTimeout=10000");
            }
        });
        ctx.start();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
        escalated.clear();
    }

    static Stream<Arguments> cases() {
        return Stream.of(Body.values()).flatMap(b -> Stream.of(Upstream.values()).map(u -> arguments(b, u)));
    }

    @ParameterizedTest(name = "{0} body, upstream {1}")
    @MethodSource("cases")
    void everyMessageIsDeliveredOrEscalatedWithItsWholeBody(Body kind, Upstream upstream) throws Exception {
        stub(upstream);
        byte[] body = kind.bytes.get();
        String digest = sha256(body);

        Exchange out = ctx.createProducerTemplate().request("direct:post",
                e -> e.getIn().setBody(kind.asStream ? new ByteArrayInputStream(body) : body));

        List<LoggedRequest> requests = wm.findAll(postRequestedFor(urlEqualTo(PATH)));
        assertThat(requests).hasSize(upstream.requests);
        for (LoggedRequest r : requests) {
            assertThat(r.getBody().length).as("bytes received by one attempt").isEqualTo(body.length);
            assertThat(sha256(r.getBody())).as("every attempt carries the whole body").isEqualTo(digest);
        }
        if (upstream.giveUpReason == null) {
            assertThat(out.getException()).isNull();
            assertThat(out.getMessage().getBody(String.class)).isEqualTo("stored");
            assertThat(escalated).isEmpty();
        } else {
            assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo(upstream.giveUpReason);
            assertThat(out.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class).attempts()).isEqualTo(upstream.requests);
            assertThat(escalated).as("handed to the escalation endpoint, once, with its body")
                    .containsExactly(Map.entry(out.getExchangeId(), digest));
        }

        // the context is still serving: the next message goes through
        assertThat(ctx.getStatus()).isEqualTo(ServiceStatus.Started);
        wm.resetAll();
        stub(Upstream.ACCEPTS);
        Exchange next = ctx.createProducerTemplate().request("direct:post", e -> e.getIn().setBody("next".getBytes()));
        assertThat(next.getException()).isNull();
        assertThat(next.getMessage().getBody(String.class)).isEqualTo("stored");
    }

    private static void stub(Upstream upstream) {
        switch (upstream) {
            case ACCEPTS -> wm.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("stored")));
            case HEALS_AFTER_503 -> {
                wm.stubFor(post(urlEqualTo(PATH)).inScenario("heal").whenScenarioStateIs(STARTED)
                        .willReturn(aResponse().withStatus(503)).willSetStateTo("healed"));
                wm.stubFor(post(urlEqualTo(PATH)).inScenario("heal").whenScenarioStateIs("healed")
                        .willReturn(aResponse().withStatus(200).withBody("stored")));
            }
            case ALWAYS_500 -> wm.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(500).withBody("broken")));
            case REJECTS_400 -> wm.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(400).withBody("bad body")));
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8 && i + j < size; j++) {
                b[i + j] = (byte) (v >>> (8 * j));
            }
        }
        return b;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return bytes == null ? "null" : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
