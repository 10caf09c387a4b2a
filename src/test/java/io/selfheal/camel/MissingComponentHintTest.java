package io.selfheal.camel;

import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A route naming a component nobody added stops start-up with Camel's words and where the component goes. (No test
 * dependency provides sftp or jms; the jar's exit and line with a Kafka route: LibFolderKafkaIT.)
 */
class MissingComponentHintTest {
    private static final String HINT = "(add the component's jar and its dependencies to ./lib:"
            + " docs/guides/operations.md#adding-components)";

    @TempDir
    Path dir;

    @Test
    void aConsumerOfAMissingComponentSaysWhereItGoes() throws Exception {
        String line = startupFailure("""
                - route:
                    id: inbox
                    from:
                      uri: "sftp://files.example.com/inbox"
                      steps:
                        - log: "got it"
                """);

        assertThat(line).contains("sftp://files.example.com/inbox").endsWith(HINT);
    }

    @Test
    void aProducerOfAMissingComponentSaysWhereItGoes() throws Exception {
        String line = startupFailure("""
                - route:
                    id: orders
                    from:
                      uri: "direct:orders"
                      steps:
                        - to: "jms:queue:orders"
                """);

        assertThat(line).contains("jms").endsWith(HINT);
    }

    @Test
    void bothOfCamelsWordingsGetTheHintAndNothingElseDoes() {
        assertThat(StartupChecks.withComponentHint("Failed to resolve endpoint: kafka://orders due to: No component"
                + " found with scheme: kafka", "/opt/selfheal/lib"))
                .endsWith("scheme: kafka (add the component's jar and its dependencies to /opt/selfheal/lib:"
                        + " docs/guides/operations.md#adding-components)");
        assertThat(StartupChecks.withComponentHint("No endpoint could be found for: kafka://orders?brokers=b:9092,"
                + " please check your classpath contains the needed Camel component jar.", "./lib")).endsWith(HINT);
        String other = "selfheal.defaults.max-attempts must be at least 1";
        assertThat(StartupChecks.withComponentHint(other, "./lib")).isEqualTo(other);
        assertThat(StartupChecks.withComponentHint(null, "./lib")).isNull();
    }

    /** The jar's one start-up failure line for these routes, from its camel-main in this JVM. */
    private String startupFailure(String yaml) throws Exception {
        Files.writeString(dir.resolve("route.yaml"), yaml);
        Main main = SelfhealMain.create();
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:" + dir + "/*.yaml");
        try {
            Throwable e = catchThrowable(main::start);
            assertThat(e).as("start-up fails").isNotNull();
            return SelfhealMain.startupFailure(e, main);
        } finally {
            main.stop();
        }
    }
}
