package io.selfheal.camel;

import io.selfheal.it.StartupFailuresIT;
import io.selfheal.testing.TestContexts;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The jar's start-up (camel-main) stops on an invalid selfheal.* value, naming the key, and on a routeConfigurationId
 * that no route configuration has (Camel ignores it: the route would run without self-healing). The jar's exit code
 * and one-line output for these and for a port in use and an empty directory: {@code StartupFailuresIT}.
 */
class StartupValidationTest {

    @Test
    void invalidValueStopsStartUpNamingTheKey() throws Exception {
        Main main = SelfhealMain.create();
        main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:no-routes-here/*.yaml");
        main.addOverrideProperty("selfheal.defaults.max-attempts", "-3");
        try {
            assertThatThrownBy(main::start)
                    .hasStackTraceContaining("selfheal.defaults.max-attempts");
        } finally {
            main.stop();
        }
    }

    @Test
    void unknownKeyStopsStartUpWithASuggestion() throws Exception {
        Main main = SelfhealMain.create();
        main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:no-routes-here/*.yaml");
        main.addOverrideProperty("selfheal.defaults.max-delya", "10s");
        try {
            assertThatThrownBy(main::start)
                    .hasStackTraceContaining("selfheal.defaults.max-delya")
                    .hasStackTraceContaining("selfheal.defaults.max-delay");
        } finally {
            main.stop();
        }
    }

    @Test
    void aMistypedRouteConfigurationIdStopsStartUpNamingTheRouteAndTheNearestId(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("orders.yaml"), """
                - route:
                    id: orders
                    routeConfigurationId: self-heal
                    from:
                      uri: "direct:orders"
                      steps:
                        - log: "orders"
                """);
        Main main = SelfhealMain.create();
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:" + dir + "/*.yaml");
        try {
            assertThatThrownBy(main::start)
                    .hasStackTraceContaining("route 'orders' names routeConfigurationId 'self-heal'")
                    .hasStackTraceContaining("did you mean 'self-healing'?");
        } finally {
            main.stop();
        }
    }

    @Test
    void aJavaRouteNamingNoConfigurationStopsTheContext() throws Exception {
        CamelContext ctx = TestContexts.create(TestContexts.SCALED);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:a").routeId("a").routeConfigurationId("self-healng").to("mock:a");
                // several ids and a pattern, as Camel allows, are fine when each matches
                from("direct:b").routeId("b").routeConfigurationId("self-*, self-healing").to("mock:b");
            }
        });
        try {
            assertThatThrownBy(ctx::start).hasStackTraceContaining("route 'a' names routeConfigurationId 'self-healng'")
                    .hasStackTraceContaining("did you mean 'self-healing'?");
        } finally {
            ctx.stop();
        }
    }

    @Test
    void validConfigurationStarts() throws Exception {
        Main main = SelfhealMain.create();
        main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:no-routes-here/*.yaml");
        main.addOverrideProperty("selfheal.defaults.max-attempts", "3");
        try {
            main.start();
            SelfhealRuntime runtime = SelfhealRuntime.of(main.getCamelContext());
            assertThat(runtime.config().defaultPolicy().maxAttempts()).isEqualTo(3);
            // built-in defaults are there underneath the override
            assertThat(runtime.config().defaultPolicy().transientCurve().maxDelay().toSeconds()).isEqualTo(30);
        } finally {
            main.stop();
        }
    }
}
