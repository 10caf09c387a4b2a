package io.selfheal.camel;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.selfheal.testing.TestContexts;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Selfheal on the classpath and a route that names {@code self-healing} is enough: Camel's plugin discovery
 * ({@link SelfhealPlugin}) installs it, with the properties set before the routes, in a plain context and in a camel-main
 * that holds no line of Selfheal code; a context whose routes do not ask for it gets nothing.
 */
class AutoInstallTest {
    @RegisterExtension
    static WireMockExtension upstream = TestContexts.localWireMock();

    private final List<AutoCloseable> toStop = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toStop) {
            c.close();
        }
        upstream.resetAll();
    }

    @Test
    void aPlainContextWhoseRouteNamesSelfHealingGetsItWithoutAnInstallCall() throws Exception {
        DefaultCamelContext ctx = new DefaultCamelContext();
        toStop.add(ctx::stop);
        ctx.getPropertiesComponent().setOverrideProperties(stores("selfheal.defaults.max-attempts", "4"));
        ctx.addRoutes(route());
        ctx.start();
        assertHeals(ctx);
        // the properties set before the routes are the ones it read
        assertThat(SelfhealRuntime.of(ctx).config().retry().defaultSettings().maxAttempts()).isEqualTo(4);
    }

    @Test
    void aCamelMainWithOnlyAYamlRouteAndPropertiesGetsIt(@TempDir Path dir) throws Exception {
        Path routes = Files.writeString(dir.resolve("orders.yaml"), """
                - route:
                    id: orders
                    routeConfigurationId: self-healing
                    from:
                      uri: "direct:orders"
                      steps:
                        - to: "http://127.0.0.1:%d/orders/1?httpMethod=GET"
                """.formatted(upstream.getPort()));
        Path props = dir.resolve("application.properties");
        StringBuilder text = new StringBuilder();
        stores("selfheal.defaults.max-attempts", "4").forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(props, text);
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:" + props);
        main.configure().withRoutesIncludePattern("file:" + routes);
        main.start();
        toStop.add(main::stop);
        assertHeals(main.getCamelContext());
        assertThat(SelfhealRuntime.of(main.getCamelContext()).config().retry().defaultSettings().maxAttempts()).isEqualTo(4);
    }

    @Test
    void aContextWhoseRoutesDoNotSelfHealGetsNothing() throws Exception {
        DefaultCamelContext ctx = new DefaultCamelContext();
        toStop.add(ctx::stop);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:plain").routeId("plain").log("plain Camel");
            }
        });
        ctx.start();
        assertThat(InstalledBeans.lookup(ctx, SelfhealRuntime.BEAN_NAME, SelfhealRuntime.class)).isNull();
        assertThat(ctx.getRoutes()).extracting(r -> r.getRouteId()).containsExactly("plain");
    }

    @Test
    void anInvalidConfigurationFailsTheRoutesThatAskForItNamingTheKey() {
        DefaultCamelContext ctx = new DefaultCamelContext();
        toStop.add(ctx::stop);
        ctx.getPropertiesComponent().setOverrideProperties(stores("selfheal.defaults.max-atempts", "4"));
        assertThatThrownBy(() -> ctx.addRoutes(route()))
                .hasStackTraceContaining("selfheal.defaults.max-atempts")
                .hasStackTraceContaining("selfheal.defaults.max-attempts");
    }

    @Test
    void aBuilderWithBuilderWideClausesIsRefusedRatherThanPreparedTwice() {
        DefaultCamelContext ctx = new DefaultCamelContext();
        toStop.add(ctx::stop);
        ctx.getPropertiesComponent().setOverrideProperties(stores());
        assertThatThrownBy(() -> ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                onException(IllegalArgumentException.class).handled(true);
                from("direct:orders").routeConfigurationId("self-healing").log("x");
            }
        })).hasStackTraceContaining("call Selfheal.install(context) before adding routes");
    }

    @Test
    void anExplicitInstallBeforeTheRoutesIsTheOneThatCounts() throws Exception {
        CamelContext ctx = new DefaultCamelContext();
        toStop.add(ctx::stop);
        ctx.getPropertiesComponent().setOverrideProperties(stores());
        SelfhealRuntime explicit = Selfheal.install(ctx);
        ctx.addRoutes(route());
        ctx.start();
        assertThat(SelfhealRuntime.of(ctx)).isSameAs(explicit);
        assertHeals(ctx);
    }

    private static Properties stores(String... keyValues) {
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

    private static RouteBuilder route() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:orders").routeId("orders").routeConfigurationId("self-healing")
                        .to("http://127.0.0.1:" + upstream.getPort() + "/orders/1?httpMethod=GET");
            }
        };
    }

    private static void assertHeals(CamelContext ctx) {
        upstream.stubFor(get(urlEqualTo("/orders/1")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        upstream.stubFor(get(urlEqualTo("/orders/1")).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody("ok")));
        Exchange done = ctx.createProducerTemplate().send("direct:orders", e -> e.getMessage().setBody(null));
        assertThat(done.getException()).isNull();
        assertThat(done.getMessage().getBody(String.class)).isEqualTo("ok");
        assertThat(done.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        upstream.verify(2, getRequestedFor(urlEqualTo("/orders/1")));
    }
}
