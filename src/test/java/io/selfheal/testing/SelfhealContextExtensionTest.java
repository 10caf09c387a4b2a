package io.selfheal.testing;

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The extension's callbacks driven by hand, as JUnit calls them around a test and a class. */
class SelfhealContextExtensionTest {
    @Test
    void aTestsContextsStopAfterItAndTheStoresMadeForThemAreFreed() throws Exception {
        SelfhealContextExtension contexts = new SelfhealContextExtension();
        contexts.beforeEach(null);
        CamelContext ctx = contexts.start(TestContexts.SCALED);
        String parked = ctx.getPropertiesComponent().resolveProperty("selfheal.parked.url").orElseThrow();
        assertThat(ctx.isStarted()).isTrue();
        assertThat(opens(parked, "sa")).as("the parked store is open while the context runs").isTrue();

        contexts.afterTestExecution(null);
        assertThat(ctx.isStopped()).isTrue();
        assertThat(opens(parked, "sa")).as("its in-memory database is gone").isFalse();
        contexts.afterEach(null);
    }

    @Test
    void aContextMadeBeforeAllTestsLivesUntilAfterAll() throws Exception {
        SelfhealContextExtension contexts = new SelfhealContextExtension();
        CamelContext forClass = contexts.start(TestContexts.SCALED);
        contexts.beforeEach(null);
        CamelContext forTest = contexts.start(TestContexts.SCALED);
        contexts.afterTestExecution(null);
        contexts.afterEach(null);
        assertThat(forTest.isStopped()).isTrue();
        assertThat(forClass.isStarted()).isTrue();

        contexts.afterAll(null);
        assertThat(forClass.isStopped()).isTrue();
    }

    @Test
    void aStoreTheTestNamesIsLeftToIt() throws Exception {
        String url = "jdbc:h2:mem:named-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        SelfhealContextExtension contexts = new SelfhealContextExtension();
        contexts.beforeEach(null);
        contexts.start(TestContexts.scaled("selfheal.parked.url", url));
        contexts.afterTestExecution(null);
        contexts.afterEach(null);
        assertThat(opens(url, "sa")).as("a test may read its own store after the context is gone").isTrue();
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.createStatement().execute("SHUTDOWN");
        }
    }

    private static boolean opens(String url, String user) {
        try (Connection c = DriverManager.getConnection(url.replace(";DB_CLOSE_DELAY=-1", ";IFEXISTS=TRUE"), user, "")) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }
}
