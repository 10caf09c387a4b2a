package io.selfheal.camel.schedule;

import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.schedule.ScheduleSettings;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;

/**
 * Installs the schedule room: with {@code selfheal.schedule.clustered = true}, the context's {@code quartz}
 * component runs on Quartz's clustered JDBC job store, so each quartz:// trigger fires on exactly one of the
 * instances sharing the database, and on a survivor when that instance dies. Off, camel-quartz keeps its in-memory
 * scheduler and nothing is installed.
 */
public final class ScheduleInstaller {
    public static final String COMPONENT = "quartz";

    private ScheduleInstaller() {
    }

    public static void install(CamelContext context, SelfhealRuntime runtime) {
        ScheduleSettings settings = runtime.config().schedule();
        if (!settings.clustered()) {
            return;
        }
        if (context.hasComponent(COMPONENT) != null) {
            throw new IllegalStateException(ScheduleSettings.CLUSTERED + " = true: the CamelContext '"
                    + context.getName() + "' has a '" + COMPONENT + "' component already; Selfheal configures it for"
                    + " the clustered schedule, so leave it out, or turn clustering off");
        }
        QuartzComponent quartz = new QuartzComponent();
        quartz.setSchedulerFactory(new ClusteredSchedulerFactory(settings));
        context.addComponent(COMPONENT, quartz);
    }
}
