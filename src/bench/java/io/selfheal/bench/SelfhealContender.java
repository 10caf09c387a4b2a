package io.selfheal.bench;

import io.selfheal.camel.Selfheal;
import io.selfheal.camel.SelfHealingClauses;
import io.selfheal.camel.SelfhealProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.Map;
import java.util.Properties;

/**
 * The Selfheal contender of every benchmark, configured here and nowhere else: the properties it runs with, how a
 * route inherits it, and which of its capabilities are switched on. Each benchmark asks this class for a context and
 * for the route's shape, so turning on the breaker, the retry budget or the Idempotency-Key is one edit here.
 * <p>
 * The benchmarks run the {@code self-healing} route configuration with the per-upstream circuit breaker and retry
 * budget (issue 3) and the Idempotency-Key stamping (issue 4), as shipped, with waits scaled like the retry defaults.
 */
public final class SelfhealContender {
    /**
     * Per-upstream circuit breaker (issue 3). When merged: set true and put its keys into
     * {@link #capabilityProperties(int)} ({@code selfheal.breaker.*}, scaled as {@link #scaled} says).
     */
    public static final boolean BREAKER = true;
    /** Per-upstream retry budget (issue 3). When merged: set true and put its {@code selfheal.budget.*} keys below. */
    public static final boolean RETRY_BUDGET = true;
    /**
     * Idempotency-Key on outgoing mutating requests (issue 4). When merged: set true and, if the key is not stamped by
     * the route configuration itself, add the stamping step in {@link #inherit}.
     */
    public static final boolean IDEMPOTENCY_KEY = true;

    private SelfhealContender() {
    }

    /** One line for the tables: what the Selfheal row ran. */
    public static String describe() {
        return "`" + SelfHealingClauses.ROUTE_CONFIGURATION_ID + "`"
                + (BREAKER ? " + breaker" : "")
                + (RETRY_BUDGET ? " + retry budget" : "")
                + (IDEMPOTENCY_KEY ? " + Idempotency-Key" : "");
    }

    /** What is missing from the intended Selfheal contender, for the notes under a table; empty once complete. */
    public static String missingCapabilities() {
        StringBuilder sb = new StringBuilder();
        if (!BREAKER) {
            sb.append("circuit breaker (issue 3, not merged yet); ");
        }
        if (!RETRY_BUDGET) {
            sb.append("retry budget (issue 3, not merged yet); ");
        }
        if (!IDEMPOTENCY_KEY) {
            sb.append("Idempotency-Key stamping (issue 4, not merged yet); ");
        }
        return sb.isEmpty() ? "" : sb.substring(0, sb.length() - 2);
    }

    /**
     * The shipped defaults divided by {@code scale} (scale 10: 1 s becomes 100 ms, 30 s becomes 3 s, 5 min becomes
     * 30 s), so a benchmark keeps the defaults' shape in a run of a few minutes. Scale 1 is the shipped defaults.
     */
    public static Map<String, String> scaled(int scale) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("selfheal.defaults.max-attempts", "8");
        p.put("selfheal.defaults.max-duration", (300_000 / scale) + "ms");
        p.put("selfheal.defaults.initial-delay", (1_000 / scale) + "ms");
        p.put("selfheal.defaults.multiplier", "2");
        p.put("selfheal.defaults.max-delay", (30_000 / scale) + "ms");
        p.put("selfheal.defaults.jitter", "0.5");
        p.put("selfheal.defaults.recoverable-initial-delay", (10_000 / scale) + "ms");
        p.put("selfheal.defaults.retry-after-max", (300_000 / scale) + "ms");
        p.putAll(capabilityProperties(scale));
        return p;
    }

    /**
     * The keys that switch on the capabilities above. Empty today: the configuration rejects unknown
     * {@code selfheal.*} keys, so the breaker's and the budget's keys can only be added once their parsers are merged.
     */
    static Map<String, String> capabilityProperties(int scale) {
        // the shipped breaker and budget defaults (selfheal-defaults.properties), their waits divided by the scale;
        // the Idempotency-Key is stamped by the self-healing route configuration itself on mutating requests
        Map<String, String> p = new LinkedHashMap<>();
        p.put("selfheal.breaker.defaults.enabled", String.valueOf(BREAKER));
        p.put("selfheal.breaker.defaults.wait-in-open", (10_000 / scale) + "ms");
        p.put("selfheal.breaker.defaults.wait-in-open-max", (120_000 / scale) + "ms");
        p.put("selfheal.breaker.defaults.half-open-wait", Math.max(1, 1_000 / scale) + "ms");
        p.put("selfheal.budget.defaults.enabled", String.valueOf(RETRY_BUDGET));
        return p;
    }

    /**
     * The breaker's first cooldown ({@code wait-in-open}) at the given scale, as configured in
     * {@link #capabilityProperties(int)}; empty while there is no breaker. The cooldown grows on each failed probe, so
     * the fault schedule's recovery goal ("within one breaker cooldown plus one probe") is judged against the cooldown
     * the breaker actually had when the outage ended, read from its transitions; this one is the fallback when it was
     * closed then.
     */
    public static Optional<Duration> breakerCooldown(int scale) {
        return BREAKER ? Optional.of(Duration.ofMillis(10_000 / scale)) : Optional.empty();
    }

    /** A started-later context with Selfheal installed on the given properties ({@code selfheal.*} and Camel's). */
    public static CamelContext newContext(Map<String, String> properties) throws Exception {
        DefaultCamelContext ctx = new DefaultCamelContext();
        Properties p = new Properties();
        p.putAll(properties);
        ctx.getPropertiesComponent().setOverrideProperties(p);
        Selfheal.install(ctx);
        return ctx;
    }

    /**
     * Makes a route inherit Selfheal: names the route configuration and the upstream it calls. Every benchmark route
     * of the Selfheal contender passes through here.
     */
    public static RouteDefinition inherit(RouteDefinition route, String upstream) {
        route.routeConfigurationId(SelfHealingClauses.ROUTE_CONFIGURATION_ID);
        if (upstream != null) {
            route.setProperty(SelfhealProperties.UPSTREAM).constant(upstream);
        }
        return route;
    }
}
