package io.selfheal.testing;

import io.selfheal.camel.Selfheal;

import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.impl.DefaultCamelContext;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * Makes CamelContexts with Selfheal installed, on scaled-down delays and private in-memory stores, for tests: on the
 * system clock or a given one. {@link SelfhealContextExtension} makes them the same way and stops them after a test.
 */
public final class TestContexts {
    /**
     * Delays in tens of milliseconds: the shape of the real defaults, a hundred times faster. Breakers and retry
     * budgets are off here: after a few failures to one upstream they change give-up reasons and call counts, which
     * tests of other behaviour do not expect; {@link #WITH_BREAKERS} turns them on, scaled.
     */
    public static final Map<String, String> SCALED = Map.of(
            "selfheal.defaults.initial-delay", "20ms",
            "selfheal.defaults.max-delay", "300ms",
            "selfheal.defaults.recoverable-initial-delay", "100ms",
            "selfheal.defaults.max-duration", "20s",
            "selfheal.defaults.retry-after-max", "5s",
            "selfheal.breaker.defaults.enabled", "false",
            "selfheal.budget.defaults.enabled", "false");

    /**
     * {@link #SCALED} with breakers and budgets on, their waits scaled down too, and a breaker that judges over few
     * calls (the window, minimum and consecutive trip of earlier defaults), so a test trips it with a handful of
     * failures.
     */
    public static final Map<String, String> WITH_BREAKERS = scaled(
            "selfheal.breaker.defaults.enabled", "true",
            "selfheal.budget.defaults.enabled", "true",
            "selfheal.breaker.defaults.sliding-window-size", "20",
            "selfheal.breaker.defaults.minimum-calls", "10",
            "selfheal.breaker.defaults.consecutive-failures", "5",
            "selfheal.breaker.defaults.wait-in-open", "300ms",
            "selfheal.breaker.defaults.wait-in-open-max", "3s",
            "selfheal.breaker.defaults.half-open-wait", "30ms");

    static final String PARKED_URL = "selfheal.parked.url";
    static final String IDEMPOTENCY_URL = "selfheal.idempotency.url";
    /** How the URLs of the stores {@link #create} makes begin. */
    static final String PRIVATE_STORE = "jdbc:h2:mem:";

    private TestContexts() {
    }

    public static Map<String, String> scaled(String... keyValues) {
        return with(SCALED, keyValues);
    }

    /** {@link #SCALED}, then {@code base} (a store's keys, say), then the given keys and values. */
    public static Map<String, String> scaled(Map<String, String> base, String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>(SCALED);
        m.putAll(base);
        return with(m, keyValues);
    }

    /** {@link #WITH_BREAKERS} plus the given keys and values. */
    public static Map<String, String> withBreakers(String... keyValues) {
        return with(WITH_BREAKERS, keyValues);
    }

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>(base);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    public static CamelContext start(Map<String, String> properties, RoutesBuilder... routes) throws Exception {
        return start(properties, Clock.systemUTC(), routes);
    }

    /** A started context whose Selfheal reads time from {@code clock}. */
    public static CamelContext start(Map<String, String> properties, Clock clock, RoutesBuilder... routes)
            throws Exception {
        return start(create(properties, clock), routes);
    }

    /** Adds the routes to a context from {@link #create} and starts it. */
    public static CamelContext start(CamelContext ctx, RoutesBuilder... routes) throws Exception {
        for (RoutesBuilder r : routes) {
            ctx.addRoutes(r);
        }
        ctx.start();
        return ctx;
    }

    public static CamelContext create(Map<String, String> properties) throws Exception {
        return create(properties, Clock.systemUTC());
    }

    /** A context with Selfheal installed on {@code clock}, not started: routes, beans and listeners go in first. */
    public static CamelContext create(Map<String, String> properties, Clock clock) throws Exception {
        DefaultCamelContext ctx = new DefaultCamelContext();
        // each context gets its own in-memory stores unless the test names them: tests never see each other's parked
        // messages or keys (and nothing is written under ./data)
        Map<String, String> props = new LinkedHashMap<>(properties);
        String unique = UUID.randomUUID().toString();
        props.putIfAbsent(PARKED_URL, PRIVATE_STORE + "parked-" + unique + ";DB_CLOSE_DELAY=-1");
        props.putIfAbsent(IDEMPOTENCY_URL, PRIVATE_STORE + "keys-" + unique + ";DB_CLOSE_DELAY=-1");
        Properties p = new Properties();
        p.putAll(props);
        ctx.getPropertiesComponent().setOverrideProperties(p);
        Selfheal.install(ctx, clock);
        return ctx;
    }

    /**
     * A WireMock server on 127.0.0.1 and a free port, for a test class's {@code @RegisterExtension} instance field:
     * started before each test and stopped after it (after the class's own {@code @AfterEach}, so a context calling
     * it stops first).
     */
    public static WireMockExtension localWireMock() {
        return localWireMock(UnaryOperator.identity());
    }

    /** {@link #localWireMock()} with more options, e.g. {@code o -> o.containerThreads(40)}. */
    public static WireMockExtension localWireMock(UnaryOperator<WireMockConfiguration> options) {
        return WireMockExtension.newInstance()
                .options(options.apply(wireMockConfig().bindAddress("127.0.0.1").dynamicPort())).build();
    }
}
