package io.selfheal.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.impl.DefaultCamelContext;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Starts a CamelContext with Selfheal installed, on scaled-down delays, for tests. */
public final class TestContexts {
    /** Delays in tens of milliseconds: the shape of the real defaults, a hundred times faster. */
    public static final Map<String, String> SCALED = Map.of(
            "selfheal.defaults.initial-delay", "20ms",
            "selfheal.defaults.max-delay", "300ms",
            "selfheal.defaults.recoverable-initial-delay", "100ms",
            "selfheal.defaults.max-duration", "20s",
            "selfheal.defaults.retry-after-max", "5s");

    private TestContexts() {
    }

    public static Map<String, String> scaled(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>(SCALED);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    public static CamelContext start(Map<String, String> properties, RoutesBuilder... routes) throws Exception {
        CamelContext ctx = create(properties);
        for (RoutesBuilder r : routes) {
            ctx.addRoutes(r);
        }
        ctx.start();
        return ctx;
    }

    public static CamelContext create(Map<String, String> properties) throws Exception {
        DefaultCamelContext ctx = new DefaultCamelContext();
        Properties p = new Properties();
        p.putAll(properties);
        ctx.getPropertiesComponent().setOverrideProperties(p);
        Selfheal.install(ctx);
        return ctx;
    }
}
