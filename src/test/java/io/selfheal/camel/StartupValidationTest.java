package io.selfheal.camel;

import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The jar's start-up (camel-main) stops on an invalid selfheal.* value, naming the key. */
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
