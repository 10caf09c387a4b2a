package io.selfheal.camel;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.selfheal.testing.TestContexts;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
 * {@code Selfheal.install} at every point a plain CamelContext or camel-main user would call it: it either heals the
 * route (a 503 retried, then delivered) or refuses in one line saying when to call it.
 */
class InstallPointsTest {
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
    void beforeTheRoutesAreAdded() throws Exception {
        CamelContext ctx = plainContext();
        Selfheal.install(ctx);
        ctx.addRoutes(route());
        ctx.start();
        assertHeals(ctx);
    }

    @Test
    void afterASelfHealingRouteIsAddedItWasInstalledByThatRoute() throws Exception {
        // Camel merges a route configuration as a route is added: SelfhealPlugin installed Selfheal just before
        CamelContext ctx = plainContext();
        ctx.addRoutes(route());
        SelfhealRuntime runtime = Selfheal.install(ctx);
        assertThat(SelfhealRuntime.of(ctx)).isSameAs(runtime);
        ctx.start();
        assertHeals(ctx);
    }

    @Test
    void aSelfHealingRouteAddedWhileSelfhealIsNotThereIsRefusedInOneLine() throws Exception {
        // what the plugin prevents: the route exists in the model, and Selfheal has not been installed
        CamelContext ctx = plainContext();
        ctx.getRegistry().unbind(SelfhealPlugin.BEAN_NAME);
        ctx.addRoutes(route());
        assertThatThrownBy(() -> Selfheal.install(ctx))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[orders]")
                .hasMessageContaining("before adding routes")
                .hasMessageNotContaining("\n");
    }

    @Test
    void afterRoutesThatDoNotSelfHeal() throws Exception {
        CamelContext ctx = plainContext();
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:plain").routeId("plain").log("not self-healing");
            }
        });
        Selfheal.install(ctx);
        ctx.addRoutes(route());
        ctx.start();
        assertHeals(ctx);
    }

    @Test
    void aStartedContextIsRefusedInOneLineSayingWhenToCall() throws Exception {
        CamelContext ctx = plainContext();
        ctx.start();
        assertThatThrownBy(() -> Selfheal.install(ctx))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has started already")
                .hasMessageContaining("before context.start()")
                .hasMessageContaining("Selfheal.install(main) before main.run()")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aNullContextSaysHowToInstallIntoCamelMain() {
        // what a camel-main user gets from main.getCamelContext() before main.run()
        Main main = new Main();
        assertThatThrownBy(() -> Selfheal.install(main.getCamelContext()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Selfheal.install(main) before main.run()")
                .hasMessageNotContaining("\n");
    }

    @Test
    void intoCamelMainBeforeItRuns() throws Exception {
        Main main = new Main();
        main.setOverrideProperties(stores());
        main.configure().addRoutesBuilder(route());
        Selfheal.install(main);
        main.start();
        toStop.add(main::stop);
        assertHeals(main.getCamelContext());
    }

    @Test
    void installingTwiceReturnsTheSameRuntime() throws Exception {
        CamelContext ctx = plainContext();
        SelfhealRuntime first = Selfheal.install(ctx);
        assertThat(Selfheal.install(ctx)).isSameAs(first);
    }

    private CamelContext plainContext() {
        DefaultCamelContext ctx = new DefaultCamelContext();
        ctx.getPropertiesComponent().setOverrideProperties(stores());
        toStop.add(ctx::stop);
        return ctx;
    }

    /** Private in-memory stores and scaled delays: nothing under ./data, no real waits. */
    private static Properties stores() {
        Properties p = new Properties();
        p.putAll(TestContexts.SCALED);
        String unique = UUID.randomUUID().toString();
        p.put("selfheal.parked.url", "jdbc:h2:mem:parked-" + unique + ";DB_CLOSE_DELAY=-1");
        p.put("selfheal.idempotency.url", "jdbc:h2:mem:keys-" + unique + ";DB_CLOSE_DELAY=-1");
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
        ProducerTemplate producer = ctx.createProducerTemplate();
        Exchange done = producer.send("direct:orders", e -> e.getMessage().setBody(null));
        assertThat(done.getException()).isNull();
        assertThat(done.getMessage().getBody(String.class)).isEqualTo("ok");
        assertThat(done.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        upstream.verify(2, getRequestedFor(urlEqualTo("/orders/1")));
    }
}
