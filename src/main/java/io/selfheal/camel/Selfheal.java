package io.selfheal.camel;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.selfheal.camel.breaker.BreakerInstaller;
import io.selfheal.camel.escalation.EscalationInstaller;
import io.selfheal.camel.escalation.EscalationServices;
import io.selfheal.camel.idempotency.SelfhealIdempotency;
import io.selfheal.camel.observe.ObserveInstaller;
import io.selfheal.camel.retry.RetryInstaller;
import io.selfheal.camel.runs.RunsInstaller;
import io.selfheal.camel.schedule.ScheduleInstaller;
import io.selfheal.observe.LogFormat;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.observe.LogFormatSwitch;
import io.selfheal.observe.SelfhealMeters;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Installs Selfheal into a CamelContext: reads and validates the {@code selfheal.*} properties (an invalid one stops
 * start-up, naming the key), binds the runtime, installs each room through its entry point ({@link RetryInstaller},
 * {@link BreakerInstaller}, {@link EscalationInstaller}, {@link ObserveInstaller}, {@link SelfhealIdempotency},
 * {@link ScheduleInstaller}), and adds the {@code self-healing} route configuration and Selfheal's Kamelets
 * ({@link SelfhealKamelets}).
 */
public final class Selfheal {
    private Selfheal() {
    }

    /**
     * Installs Selfheal into a CamelContext that has not started yet: call it before adding routes and before
     * {@code context.start()}. A second call returns the runtime already installed.
     *
     * @throws IllegalArgumentException when {@code context} is null (with camel-main, call {@link #install(BaseMainSupport)})
     * @throws IllegalStateException    when the context has started already, or holds a route naming
     *                                  {@code self-healing} already: those routes would run without self-healing
     */
    public static SelfhealRuntime install(CamelContext context) throws Exception {
        return install(context, Clock.systemUTC());
    }

    /**
     * Installs Selfheal into a camel-main before it runs: its CamelContext does not exist until {@code main.run()} (or
     * {@code start()}) creates it, so Selfheal installs itself as the context is configured, with the properties
     * camel-main has loaded, before any route is added. Call it before {@code main.run()}.
     */
    public static void install(BaseMainSupport main) {
        if (main == null) {
            throw new IllegalArgumentException("Selfheal.install: the camel-main is null");
        }
        if (main.getCamelContext() != null && main.getCamelContext().getStatus().isStarted()) {
            throw new IllegalStateException(tooLate(main.getCamelContext()));
        }
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport m) {
                try {
                    install(m.getCamelContext());
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
        });
    }

    public static SelfhealRuntime install(CamelContext context, Clock clock) throws Exception {
        if (context == null) {
            throw new IllegalArgumentException("Selfheal.install: the CamelContext is null. With camel-main, whose"
                    + " context exists only once it runs, call Selfheal.install(main) before main.run()");
        }
        bindH2ToLoopback();
        SelfhealRuntime existing = InstalledBeans.lookup(context, SelfhealRuntime.BEAN_NAME, SelfhealRuntime.class);
        if (existing != null) {
            return existing;
        }
        if (context.getStatus().isStarted() || context.getStatus().isStarting()) {
            throw new IllegalStateException(tooLate(context));
        }
        StartupChecks.noSelfHealingRoutesYet(context);
        SelfhealConfig config = SelfhealConfig.load(selfhealProperties(context));
        if (config.logFormat() == LogFormat.JSON) {
            LogFormatSwitch.useJson();
        }
        Launcher.logAdded();
        SelfhealMeters meters = new SelfhealMeters(meterRegistry(context));
        SelfhealRuntime runtime = new SelfhealRuntime(config, clock, meters);
        InstalledBeans.bind(context, SelfhealRuntime.BEAN_NAME, runtime);
        // the rooms; the order of their intercept strategies is the order they wrap a step in: where the unit of work
        // began (escalation) is recorded outside the upstream's guard (breaker)
        RetryInstaller.install(context);
        EscalationServices escalation = EscalationInstaller.services(context, runtime, clock);
        ObserveInstaller.install(context, runtime, escalation.store(), clock);
        SelfhealIdempotency.install(context, runtime);
        EscalationInstaller.install(context, runtime, escalation);
        // after escalation's: a job's run begins once its exchange's unit of work is recorded, and its store opens
        // after the parked store's
        RunsInstaller.install(context, runtime, escalation, clock);
        BreakerInstaller.install(context, runtime);
        ScheduleInstaller.install(context, runtime);
        context.addRoutes(new SelfHealingRouteConfiguration());
        SelfhealKamelets.install(context);
        // a routeConfigurationId no configuration has is ignored by Camel: the route would run without self-healing
        context.addStartupListener((ctx, alreadyStarted) -> StartupChecks.routeConfigurationsExist(ctx));
        return runtime;
    }

    private static String tooLate(CamelContext context) {
        return "Selfheal.install: the CamelContext '" + context.getName() + "' has started already and its routes"
                + " would run without self-healing; call Selfheal.install(context) before context.start(), or"
                + " Selfheal.install(main) before main.run()";
    }

    /** The system property H2 reads, once, for the address its servers bind (AUTO_SERVER's TCP server included). */
    public static final String H2_BIND_ADDRESS = "h2.bindAddress";

    /**
     * The default parked store uses H2's AUTO_SERVER, so the CLI can read it while the job runs; H2 then opens a TCP
     * server, which otherwise listens on every interface. Bind it to 127.0.0.1 unless the user chose an address
     * ({@code -Dh2.bindAddress=...}). H2 reads the property when its first class loads, so the jar sets it before
     * anything else; a program of its own that used H2 before {@link #install} must set it itself.
     */
    public static void bindH2ToLoopback() {
        if (System.getProperty(H2_BIND_ADDRESS) == null) {
            System.setProperty(H2_BIND_ADDRESS, "127.0.0.1");
        }
    }

    /**
     * The context's Micrometer registry ({@value MicrometerConstants#METRICS_REGISTRY_NAME}), or a Prometheus one bound
     * under that name, which camel-main's metrics service ({@code camel.metrics.enabled}) then scrapes as its own.
     */
    static MeterRegistry meterRegistry(CamelContext context) {
        MeterRegistry found = context.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        if (found != null) {
            return found;
        }
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        InstalledBeans.bind(context, MicrometerConstants.METRICS_REGISTRY_NAME, prometheus);
        return prometheus;
    }

    public static Map<String, String> selfhealProperties(CamelContext context) {
        Properties p = context.getPropertiesComponent().loadProperties(k -> k.startsWith("selfheal."));
        Map<String, String> map = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            String value = p.getProperty(name);
            // resolve placeholders such as selfheal.defaults.max-attempts={{env:MAX_ATTEMPTS:8}}
            map.put(name, value != null && value.contains("{{") ? context.resolvePropertyPlaceholders(value) : value);
        }
        // JVM system properties override files, as they do for every other Camel property (-Dselfheal.x=y)
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("selfheal.")) {
                map.put(name, System.getProperty(name));
            }
        }
        return map;
    }
}
