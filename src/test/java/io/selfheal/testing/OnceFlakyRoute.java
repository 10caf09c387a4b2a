package io.selfheal.testing;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.selfheal.camel.SelfhealProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.util.Properties;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A route {@code orders} (direct:orders) that names {@code self-healing} and calls an upstream which answers 503 once,
 * then 200: for tests of where and how Selfheal gets installed, which only ask "did it heal?".
 */
public final class OnceFlakyRoute {
    static final String PATH = "/orders/1";

    private OnceFlakyRoute() {
    }

    public static RouteBuilder route(WireMockExtension upstream) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:orders").routeId("orders").routeConfigurationId("self-healing")
                        .to("http://127.0.0.1:" + upstream.getPort() + PATH + "?httpMethod=GET");
            }
        };
    }

    /** Scaled delays and private in-memory stores (nothing under ./data), plus the given keys and values. */
    public static Properties properties(String... keyValues) {
        Properties p = new Properties();
        p.putAll(TestContexts.SCALED);
        String unique = UUID.randomUUID().toString();
        p.put("selfheal.parked.url", "jdbc:h2:mem:parked-" + unique + ";DB_CLOSE_DELAY=-1");
        p.put("selfheal.idempotency.url", "jdbc:h2:mem:keys-" + unique + ";DB_CLOSE_DELAY=-1");
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            p.put(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    /** One message through the route heals: the 503 is retried once, and the 200 delivered. */
    public static void assertHeals(CamelContext ctx, WireMockExtension upstream) {
        upstream.stubFor(get(urlEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        upstream.stubFor(get(urlEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody("ok")));
        Exchange done = ctx.createProducerTemplate().send("direct:orders", e -> e.getMessage().setBody(null));
        assertThat(done.getException()).isNull();
        assertThat(done.getMessage().getBody(String.class)).isEqualTo("ok");
        assertThat(done.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        upstream.verify(2, getRequestedFor(urlEqualTo(PATH)));
    }
}
