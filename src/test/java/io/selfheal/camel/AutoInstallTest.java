package io.selfheal.camel;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.selfheal.testing.OnceFlakyRoute;
import io.selfheal.testing.TestContexts;
import org.apache.camel.CamelContext;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Selfheal on the classpath and a route that names {@code self-healing} is enough: Camel's plugin discovery
 * ({@link SelfhealPlugin}) installs it, with the properties set before the routes, in a plain context and in a
 * camel-main that holds no line of Selfheal code; a context whose routes do not ask for it gets nothing.
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
        ctx.getPropertiesComponent().setOverrideProperties(
                OnceFlakyRoute.properties("selfheal.defaults.max-attempts", "4"));
        ctx.addRoutes(OnceFlakyRoute.route(upstream));
        ctx.start();
        OnceFlakyRoute.assertHeals(ctx, upstream);
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
        OnceFlakyRoute.properties("selfheal.defaults.max-attempts", "4")
                .forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(props, text);
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:" + props);
        main.configure().withRoutesIncludePattern("file:" + routes);
        main.start();
        toStop.add(main::stop);
        OnceFlakyRoute.assertHeals(main.getCamelContext(), upstream);
        assertThat(SelfhealRuntime.of(main.getCamelContext()).config().retry().defaultSettings().maxAttempts())
                .isEqualTo(4);
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
        ctx.getPropertiesComponent().setOverrideProperties(
                OnceFlakyRoute.properties("selfheal.defaults.max-atempts", "4"));
        assertThatThrownBy(() -> ctx.addRoutes(OnceFlakyRoute.route(upstream)))
                .hasStackTraceContaining("selfheal.defaults.max-atempts")
                .hasStackTraceContaining("selfheal.defaults.max-attempts");
    }

    @Test
    void aBuilderWithBuilderWideClausesIsRefusedRatherThanPreparedTwice() {
        DefaultCamelContext ctx = new DefaultCamelContext();
        toStop.add(ctx::stop);
        ctx.getPropertiesComponent().setOverrideProperties(OnceFlakyRoute.properties());
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
        ctx.getPropertiesComponent().setOverrideProperties(OnceFlakyRoute.properties());
        SelfhealRuntime explicit = Selfheal.install(ctx);
        ctx.addRoutes(OnceFlakyRoute.route(upstream));
        ctx.start();
        assertThat(SelfhealRuntime.of(ctx)).isSameAs(explicit);
        OnceFlakyRoute.assertHeals(ctx, upstream);
    }
}
