package io.selfheal.camel.runs;

import io.selfheal.camel.InstalledBeans;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.camel.escalation.EscalationServices;
import org.apache.camel.CamelContext;

import java.time.Clock;

/**
 * Installs the runs room: {@link JobRuns} (the run store in the parked store's database, started and stopped with the
 * context), {@link JobRoutes} (which routes are jobs, and a run per firing of their schedule) and {@link RunRecords}
 * (the split items that are a run's records).
 */
public final class RunsInstaller {
    private RunsInstaller() {
    }

    public static JobRuns install(CamelContext context, SelfhealRuntime runtime, EscalationServices escalation,
                                  Clock clock) throws Exception {
        JobRuns runs = new JobRuns(context, runtime, escalation.store(), InstanceIds.of(context),
                clock);
        InstalledBeans.bind(context, JobRuns.BEAN_NAME, runs);
        // a service added after the escalation's: started after the parked store, stopped before it
        context.addService(runs, true, true);
        context.addRoutePolicyFactory(new JobRoutes(runs));
        context.getCamelContextExtension().addInterceptStrategy(new RunRecords());
        // a replay that delivers a parked record of a run moves the run's counts (a PARTIAL run may become HEALED)
        escalation.replay().onDelivered(runs::deliveredByReplay);
        // one page per ended run that needs a human, on the alert sinks
        runs.onEnded(new RunPages(runtime.config(), escalation.alerts()));
        runs.onEnded(runs.meters());
        return runs;
    }
}
