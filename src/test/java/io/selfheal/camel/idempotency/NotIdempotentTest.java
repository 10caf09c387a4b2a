package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;
import io.selfheal.testing.YamlRoutes;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code idempotent: false}: only failures where the request provably never left are retried; anything after it may
 * have been sent gives up with NOT_IDEMPOTENT, so a payment is never made twice.
 */
class NotIdempotentTest {
    private static final int MAX_ATTEMPTS = 4;
    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    /** direct:pay → POST {@code target}; the route marks the call non-idempotent unless told otherwise. */
    private void startPayRoute(String target, Boolean idempotent) throws Exception {
        ctx = contexts.start(TestContexts.scaled("selfheal.defaults.max-attempts", String.valueOf(MAX_ATTEMPTS)),
                new RouteBuilder() {
                    @Override
                    public void configure() {
                        var route = from("direct:pay").routeId("pay").routeConfigurationId("self-healing");
                        if (idempotent != null) {
                            route.setProperty(SelfhealProperties.IDEMPOTENT, constant(idempotent));
                        }
                        route.to(target);
                    }
                });
    }

    /** Reads time out after a second (the slow stubs answer after 2.5 s; the others at once). */
    private String payments() {
        return "http://127.0.0.1:" + wm.getPort() + "/payments?httpMethod=POST&connectTimeout=1000&responseTimeout=1000";
    }

    private Exchange pay() {
        return ctx.createProducerTemplate().send("direct:pay", e -> e.getIn().setBody("{\"amount\":100}"));
    }

    @Test
    void aReadTimeoutIsNotRetriedWhenTheCallIsNotIdempotent() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/payments")).willReturn(aResponse().withStatus(201).withFixedDelay(2500)));
        startPayRoute(payments(), false);

        Exchange out = pay();

        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("NOT_IDEMPOTENT");
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("TRANSIENT");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(1);
        // the exchange is over and nothing is scheduled: this count is final
        wm.verify(1, postRequestedFor(urlPathEqualTo("/payments")));
    }

    @Test
    void theSameReadTimeoutIsRetriedWhenTheCallIsIdempotent() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/payments")).willReturn(aResponse().withStatus(201).withFixedDelay(2500)));
        startPayRoute(payments(), null);

        Exchange out = pay();

        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        wm.verify(MAX_ATTEMPTS, postRequestedFor(urlPathEqualTo("/payments")));
    }

    @Test
    void aRefusedConnectionIsRetriedBecauseNothingWasSent() throws Exception {
        startPayRoute("http://127.0.0.1:" + closedPort() + "/payments?httpMethod=POST&connectTimeout=1000", false);

        Exchange out = pay();

        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(MAX_ATTEMPTS);
    }

    @Test
    void anyResponseMeansTheRequestArrived() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/payments")).willReturn(aResponse().withStatus(503)));
        startPayRoute(payments(), false);

        Exchange out = pay();

        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("NOT_IDEMPOTENT");
        wm.verify(1, postRequestedFor(urlPathEqualTo("/payments")));
    }

    @Test
    void aPermanentFailureKeepsItsOwnReason() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/payments")).willReturn(aResponse().withStatus(400)));
        startPayRoute(payments(), false);

        assertThat(pay().getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("PERMANENT");
    }

    @Test
    void aTemplateParameterDrivesTheFlag() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/payments")).willReturn(aResponse().withStatus(503)));
        ctx = contexts.create(TestContexts.scaled("selfheal.defaults.max-attempts", String.valueOf(MAX_ATTEMPTS)));
        YamlRoutes.load(ctx, """
                - routeTemplate:
                    id: post-call
                    parameters:
                      - name: name
                      - name: url
                      - name: idempotent
                        defaultValue: "true"
                    route:
                      routeConfigurationId: self-healing
                      from:
                        uri: "direct:{{name}}"
                        steps:
                          - setProperty:
                              name: SelfhealIdempotent
                              constant: "{{idempotent}}"
                          - to: "{{url}}"
                - templatedRoute:
                    routeTemplateRef: post-call
                    routeId: charge
                    parameters:
                      - { name: name, value: charge }
                      - { name: url, value: "%1$s" }
                      - { name: idempotent, value: "false" }
                - templatedRoute:
                    routeTemplateRef: post-call
                    routeId: refund-status
                    parameters:
                      - { name: name, value: refund }
                      - { name: url, value: "%1$s" }
                """.formatted(payments()));
        ctx.start();

        Exchange charge = ctx.createProducerTemplate().send("direct:charge", e -> e.getIn().setBody("{}"));
        assertThat(charge.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("NOT_IDEMPOTENT");
        wm.verify(1, postRequestedFor(urlPathEqualTo("/payments")));

        Exchange refund = ctx.createProducerTemplate().send("direct:refund", e -> e.getIn().setBody("{}"));
        assertThat(refund.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        wm.verify(1 + MAX_ATTEMPTS, postRequestedFor(urlPathEqualTo("/payments")));
    }

    /** A port nothing listens on: bound once to find it, then closed, so a connect is refused. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
