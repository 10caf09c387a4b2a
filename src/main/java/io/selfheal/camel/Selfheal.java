package io.selfheal.camel;

import io.selfheal.config.SelfhealConfig;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.CompositeHttpConfigurer;
import org.apache.camel.component.http.HttpComponent;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Installs Selfheal into a CamelContext: reads and validates the {@code selfheal.*} properties (an invalid one stops
 * start-up, naming the key), binds the runtime, makes Camel's redelivery the only retry layer for HTTP, guards the HTTP
 * calls of self-healing routes with their upstream's breaker and retry budget, and adds the {@code self-healing} route
 * configuration, the escalation route and the {@code resilient-http} template.
 */
public final class Selfheal {
    private Selfheal() {
    }

    public static SelfhealRuntime install(CamelContext context) throws Exception {
        return install(context, Clock.systemUTC());
    }

    public static SelfhealRuntime install(CamelContext context, Clock clock) throws Exception {
        SelfhealRuntime existing = context.getRegistry().lookupByNameAndType(SelfhealRuntime.BEAN_NAME, SelfhealRuntime.class);
        if (existing != null) {
            return existing;
        }
        SelfhealConfig config = SelfhealConfig.load(selfhealProperties(context));
        SelfhealRuntime runtime = new SelfhealRuntime(config, clock);
        context.getRegistry().bind(SelfhealRuntime.BEAN_NAME, runtime);
        disableHttpClientRetries(context, "http");
        disableHttpClientRetries(context, "https");
        // per-upstream breaker, Retry-After hold and retry budget around every HTTP call of a self-healing route
        context.getCamelContextExtension().addInterceptStrategy(new UpstreamGuard());
        runtime.addListener(new RetryBudgetListener(runtime));
        runtime.breakers().onTransitionEvent(new BreakerEscalation(context));
        context.addRoutes(new SelfHealingRouteConfiguration());
        context.addRoutes(new EscalationRoutes());
        context.addRoutes(new ResilientHttpTemplate());
        return runtime;
    }

    static Map<String, String> selfhealProperties(CamelContext context) {
        Properties p = context.getPropertiesComponent().loadProperties(k -> k.startsWith("selfheal."));
        Map<String, String> map = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            String value = p.getProperty(name);
            // resolve placeholders such as selfheal.defaults.max-attempts={{env:MAX_ATTEMPTS:8}}
            map.put(name, value != null && value.contains("{{") ? context.resolvePropertyPlaceholders(value) : value);
        }
        return map;
    }

    /**
     * Apache HttpClient 5 retries some failures itself and honours Retry-After on its own: turn that off, so the
     * self-healing redelivery is the only retry layer and every attempt is counted and logged.
     */
    private static void disableHttpClientRetries(CamelContext context, String name) {
        HttpComponent http = context.getComponent(name, HttpComponent.class);
        if (http == null) {
            return;
        }
        http.setAutomaticRetriesDisabled(true);
        http.setHttpClientConfigurer(CompositeHttpConfigurer.combineConfigurers(http.getHttpClientConfigurer(),
                builder -> builder.disableAutomaticRetries()));
    }
}
