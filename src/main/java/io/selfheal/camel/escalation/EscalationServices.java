package io.selfheal.camel.escalation;

import io.selfheal.camel.InstalledBeans;
import io.selfheal.camel.Selfheal;

import io.selfheal.settings.SelfhealConfig;
import io.selfheal.escalation.AlertService;
import io.selfheal.escalation.ParkedStore;
import io.selfheal.json.Json;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;

import java.time.Clock;

/**
 * The escalation side of one CamelContext: the parked store, the alert service and the replay service. Bound as
 * {@value #BEAN_NAME}; a Camel service, so it starts and stops with the context (stopping flushes grouped alerts and
 * closes the store after the routes have stopped).
 */
public final class EscalationServices extends ServiceSupport {
    public static final String BEAN_NAME = "selfhealEscalation";

    private final ParkedStore store;
    private final AlertService alerts;
    private final ParkedReplayService replay;
    private final AwaitingParking awaitingParking;

    public EscalationServices(CamelContext context, SelfhealConfig config, Clock clock) {
        this.store = new ParkedStore(config.parked(), clock);
        // the alert ticker and sink threads are the context's, named by its thread pattern
        this.alerts = AlertService.create(config.alert(), clock,
                (name, task) -> context.getExecutorServiceManager().newThread(name, task));
        this.replay = new ParkedReplayService(context, store, config.parked());
        this.awaitingParking = new AwaitingParking(store, clock, config.parked().storeRetryInitialDelay(),
                config.parked().storeRetryMaxDelay());
    }

    public static EscalationServices of(CamelContext context) {
        EscalationServices s = InstalledBeans.lookup(context, BEAN_NAME, EscalationServices.class);
        if (s == null) {
            throw new IllegalStateException("Selfheal escalation is not installed in CamelContext " + context.getName());
        }
        return s;
    }

    public ParkedStore store() {
        return store;
    }

    public AlertService alerts() {
        return alerts;
    }

    public ParkedReplayService replay() {
        return replay;
    }

    /** Given-up messages the store refused, parked when their source delivers them again. */
    public AwaitingParking awaitingParking() {
        return awaitingParking;
    }

    @Override
    protected void doStart() {
        // before the first give-up, which writes its record, headers and alert as JSON
        Json.warmUp();
        replay.start();
    }

    @Override
    protected void doStop() {
        replay.stop();
        alerts.close();
        store.close();
    }
}
