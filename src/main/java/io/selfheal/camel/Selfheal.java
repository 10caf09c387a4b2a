package io.selfheal.camel;

import io.selfheal.settings.SelfhealConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.selfheal.observe.LogFormat;
import io.selfheal.observe.LogFormatSwitch;
import io.selfheal.observe.SelfhealMeters;
import io.selfheal.escalation.ParkedBacklog;
import io.selfheal.escalation.ParkedStatus;
import org.apache.camel.component.micrometer.MicrometerConstants;
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
 * configuration, the escalation route and the {@code resilient-http} template. Idempotency: binds the JDBC idempotent
 * repository ({@code #selfhealIdempotentRepository}), adds the {@code idempotent-jdbc-sink} template, and the
 * listeners that release a given-up message's keys and guard non-idempotent calls.
 */
public final class Selfheal {
    private Selfheal() {
    }

    public static SelfhealRuntime install(CamelContext context) throws Exception {
        return install(context, Clock.systemUTC());
    }

    public static SelfhealRuntime install(CamelContext context, Clock clock) throws Exception {
        bindH2ToLoopback();
        SelfhealRuntime existing = InstalledBeans.lookup(context, SelfhealRuntime.BEAN_NAME, SelfhealRuntime.class);
        if (existing != null) {
            return existing;
        }
        SelfhealConfig config = SelfhealConfig.load(selfhealProperties(context));
        if (config.logFormat() == LogFormat.JSON) {
            LogFormatSwitch.useJson();
        }
        SelfhealMeters meters = new SelfhealMeters(meterRegistry(context));
        SelfhealRuntime runtime = new SelfhealRuntime(config, clock, meters);
        InstalledBeans.bind(context, SelfhealRuntime.BEAN_NAME, runtime);
        context.getManagementStrategy().addEventNotifier(new CallMetrics(runtime, meters));
        // parking takes the message from where its unit of work began (WorkStart, below); Camel's original message is
        // only its fallback, and camel-main turns it off again unless camel.main.allow-use-original-message is set
        context.setAllowUseOriginalMessage(true);
        EscalationServices escalation = new EscalationServices(context, config, clock);
        InstalledBeans.bind(context, EscalationServices.BEAN_NAME, escalation);
        context.addService(escalation, true, true);
        ParkedBacklog backlog = new ParkedBacklog(escalation.store(), clock, java.time.Duration.ofSeconds(5));
        for (ParkedStatus status : ParkedStatus.values()) {
            meters.gauge(SelfhealMeters.PARKED, io.micrometer.core.instrument.Tags.of("status", status.name()),
                    () -> backlog.count(status));
        }
        unboundedRedeliveryScheduler(context);
        disableHttpClientRetries(context, "http");
        disableHttpClientRetries(context, "https");
        SelfhealIdempotency.install(context, runtime);
        // the Idempotency-Key's entry, recorded as a message begins a self-healing route
        context.addRoutePolicyFactory(new IdempotencyKeyHeader.EntryRecorder());
        // where each unit of work begins (a route entered, a split item or multicast branch started), and its message
        // then: what a give-up parks and where its replay re-enters
        context.addRoutePolicyFactory(new WorkStart.RouteEntries());
        context.getCamelContextExtension().addInterceptStrategy(new WorkStart.ItemStarts());
        // a message that gave up while the parked store refused it is parked when its source delivers it again,
        // without running its route (and calling its upstream) again
        context.addRoutePolicyFactory(escalation.awaitingParking());
        // per-upstream breaker, Retry-After hold and retry budget around every HTTP call of a self-healing route
        context.getCamelContextExtension().addInterceptStrategy(new UpstreamGuard());
        runtime.addListener(new RetryBudgetListener(runtime));
        runtime.breakers().onTransitionEvent(new BreakerEscalation(context));
        runtime.breakers().onTransitionEvent(t -> meters.breakerTransition(t.upstream(), t.from().name(), t.to().name()));
        // automatic replay: when an upstream's breaker closes again, its parked messages go back through, rate-limited
        runtime.breakers().onTransitionEvent(t -> {
            if (t.to() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED) {
                escalation.replay().onUpstreamRecovered(t.upstream());
            }
        });
        // what waited for a retry when the process last stopped was parked as SHUTDOWN: it goes back through now
        context.addStartupListener(new org.apache.camel.StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // the routes may not all run yet: replay once the context is fully started
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                escalation.replay().onStarted();
            }
        });
        BreakerReadiness.register(context, runtime);
        context.addRoutes(new SelfHealingRouteConfiguration());
        context.addRoutes(new EscalationRoutes());
        context.addRoutes(new IdempotentJdbcSinkTemplate());
        context.addRoutes(new ResilientHttpTemplate());
        if (config.parked().apiToken() != null) {
            context.addRoutes(new ParkedApiRoutes());
        }
        // a routeConfigurationId no configuration has is ignored by Camel: the route would run without self-healing
        context.addStartupListener((ctx, alreadyStarted) -> StartupChecks.routeConfigurationsExist(ctx));
        return runtime;
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

    /**
     * Every exchange waiting in backoff is a task in Camel's shared redelivery scheduler, whose queue the default
     * thread pool profile bounds at 1,000: past that, redeliveries were rejected (RejectedExecutionException) and the
     * messages failed without being retried, found by the crash test and the fault benchmark. A waiting exchange
     * costs a queue entry, not a thread, so the queue is unbounded; the pool of threads that run due tasks stays small.
     */
    static void unboundedRedeliveryScheduler(CamelContext context) {
        org.apache.camel.spi.ThreadPoolProfile profile = new org.apache.camel.builder.ThreadPoolProfileBuilder(
                "SelfhealRedeliveryThreadPool").poolSize(10).maxQueueSize(-1).build();
        java.util.concurrent.ScheduledExecutorService scheduler = context.getExecutorServiceManager()
                .newScheduledThreadPool(context, "ErrorHandlerRedeliveryTask", profile);
        context.getCamelContextExtension().addContextPlugin(java.util.concurrent.ScheduledExecutorService.class, scheduler);
    }

    static Map<String, String> selfhealProperties(CamelContext context) {
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
