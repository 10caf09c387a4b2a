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

import java.util.ArrayList;
import java.util.List;

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
        ctx.addRoutes(OnceFlakyRoute.route(upstream));
        ctx.start();
        OnceFlakyRoute.assertHeals(ctx, upstream);
    }

    @Test
    void afterASelfHealingRouteIsAddedItWasInstalledByThatRoute() throws Exception {
        // Camel merges a route configuration as a route is added: SelfhealPlugin installed Selfheal just before
        CamelContext ctx = plainContext();
        ctx.addRoutes(OnceFlakyRoute.route(upstream));
        SelfhealRuntime runtime = Selfheal.install(ctx);
        assertThat(SelfhealRuntime.of(ctx)).isSameAs(runtime);
        ctx.start();
        OnceFlakyRoute.assertHeals(ctx, upstream);
    }

    @Test
    void aSelfHealingRouteAddedWhileSelfhealIsNotThereIsRefusedInOneLine() throws Exception {
        // what the plugin prevents: the route exists in the model, and Selfheal has not been installed
        CamelContext ctx = plainContext();
        ctx.getRegistry().unbind(SelfhealPlugin.BEAN_NAME);
        ctx.addRoutes(OnceFlakyRoute.route(upstream));
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
        ctx.addRoutes(OnceFlakyRoute.route(upstream));
        ctx.start();
        OnceFlakyRoute.assertHeals(ctx, upstream);
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
        main.setOverrideProperties(OnceFlakyRoute.properties());
        main.configure().addRoutesBuilder(OnceFlakyRoute.route(upstream));
        Selfheal.install(main);
        main.start();
        toStop.add(main::stop);
        OnceFlakyRoute.assertHeals(main.getCamelContext(), upstream);
    }

    @Test
    void installingTwiceReturnsTheSameRuntime() throws Exception {
        CamelContext ctx = plainContext();
        SelfhealRuntime first = Selfheal.install(ctx);
        assertThat(Selfheal.install(ctx)).isSameAs(first);
    }

    private CamelContext plainContext() {
        DefaultCamelContext ctx = new DefaultCamelContext();
        ctx.getPropertiesComponent().setOverrideProperties(OnceFlakyRoute.properties());
        toStop.add(ctx::stop);
        return ctx;
    }
}
