package io.selfheal.testing;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Makes CamelContexts with Selfheal installed, as {@link TestContexts} does, and stops each one once it is no longer
 * needed, with the in-memory stores the factory gave it. As an instance field
 * ({@code @RegisterExtension final SelfhealContextExtension contexts = new SelfhealContextExtension();}) a context
 * lives for one test; as a static field, one made in {@code @BeforeAll} lives for the class and one made in a test or
 * {@code @BeforeEach} for that test.
 * <p>
 * A test's contexts stop right after the test method, before the class's {@code @AfterEach} methods and before any
 * WireMock extension stops its server: a context never calls a server that is gone, and an {@code @AfterEach} that
 * drops tables finds nothing still writing to them. A class-wide context stops after the class's {@code @AfterAll};
 * beside a static WireMock extension, give that one the lower {@code @Order}, so the context stops first.
 */
public final class SelfhealContextExtension
        implements BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback, AfterAllCallback {
    // a test may make contexts from threads of its own
    private final Deque<Made> forTest = new ConcurrentLinkedDeque<>();
    private final Deque<Made> forClass = new ConcurrentLinkedDeque<>();
    private volatile boolean inTest;

    /** A started context: {@link TestContexts#start(Map, RoutesBuilder...)}. */
    public CamelContext start(Map<String, String> properties, RoutesBuilder... routes) throws Exception {
        return start(properties, Clock.systemUTC(), routes);
    }

    /** A started context whose Selfheal reads time from {@code clock}. */
    public CamelContext start(Map<String, String> properties, Clock clock, RoutesBuilder... routes) throws Exception {
        // stopped afterwards even when adding the routes or starting fails
        return TestContexts.start(create(properties, clock), routes);
    }

    /** A context not started yet: {@link TestContexts#create(Map)}. */
    public CamelContext create(Map<String, String> properties) throws Exception {
        return create(properties, Clock.systemUTC());
    }

    public CamelContext create(Map<String, String> properties, Clock clock) throws Exception {
        CamelContext ctx = TestContexts.create(properties, clock);
        List<String> privateStores = new ArrayList<>();
        for (String key : List.of(TestContexts.PARKED_URL, TestContexts.IDEMPOTENCY_URL)) {
            if (!properties.containsKey(key)) {
                ctx.getPropertiesComponent().resolveProperty(key).ifPresent(privateStores::add);
            }
        }
        (inTest ? forTest : forClass).push(new Made(ctx, privateStores));
        return ctx;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        inTest = true;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        stopAll(forTest);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // what the test did not reach (a failing @BeforeEach) or an @AfterEach made
        stopAll(forTest);
        inTest = false;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stopAll(forClass);
    }

    /** Stops the newest first; a failure to stop one does not keep the others running. */
    private static void stopAll(Deque<Made> made) {
        RuntimeException failed = null;
        for (Made m = made.poll(); m != null; m = made.poll()) {
            try {
                m.context.stop();
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
            m.privateStores.forEach(SelfhealContextExtension::dropDatabase);
        }
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * An in-memory H2 database with DB_CLOSE_DELAY=-1 lives as long as the JVM unless it is shut down. Its owner is
     * the user the store opened it as: "sa" for the parked store, H2's default for the keys.
     */
    private static void dropDatabase(String url) {
        for (String user : List.of("sa", "")) {
            try (Connection c = DriverManager.getConnection(url.replace(";DB_CLOSE_DELAY=-1", ";IFEXISTS=TRUE"), user, "");
                 Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
                return;
            } catch (SQLException e) {
                // not this user's, never opened (IFEXISTS) or already gone
            }
        }
    }

    private record Made(CamelContext context, List<String> privateStores) {
    }
}
