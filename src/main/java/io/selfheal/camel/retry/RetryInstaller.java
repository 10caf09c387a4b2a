package io.selfheal.camel.retry;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.component.http.CompositeHttpConfigurer;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.spi.ThreadPoolProfile;

import java.util.concurrent.ScheduledExecutorService;

/**
 * Installs the retry room: Camel's redelivery as the only retry layer, with room for every waiting exchange. The
 * clauses that classify, decide and schedule are the route configuration's ({@code SelfHealingClauses}).
 */
public final class RetryInstaller {
    private RetryInstaller() {
    }

    public static void install(CamelContext context) {
        unboundedRedeliveryScheduler(context);
        disableHttpClientRetries(context, "http");
        disableHttpClientRetries(context, "https");
    }

    /**
     * Every exchange waiting in backoff is a task in Camel's shared redelivery scheduler, whose queue the default
     * thread pool profile bounds at 1,000; past that a redelivery is rejected and its message fails without a retry.
     * A waiting exchange costs a queue entry, not a thread, so the queue is unbounded; the pool of threads that run
     * due tasks stays small.
     */
    private static void unboundedRedeliveryScheduler(CamelContext context) {
        ThreadPoolProfile profile = new ThreadPoolProfileBuilder("SelfhealRedeliveryThreadPool")
                .poolSize(10).maxQueueSize(-1).build();
        ScheduledExecutorService scheduler = context.getExecutorServiceManager()
                .newScheduledThreadPool(context, "ErrorHandlerRedeliveryTask", profile);
        context.getCamelContextExtension().addContextPlugin(ScheduledExecutorService.class, scheduler);
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
