package io.selfheal.camel.runs;

import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.SelfHealingClauses;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.escalation.ParkedReplayService;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SplitDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which routes are jobs, and the runs of each: a route whose consumer is a schedule ({@code timer:},
 * {@code scheduler:}, {@code quartz:}, {@code cron:}) and that names the {@code self-healing} route configuration is
 * the job of its route id, unless {@code selfheal.jobs.<job>.enabled=false}. Each exchange its schedule creates begins
 * a run, and ends it once done; a replay into the route is not a run (it belongs to the run it replays).
 */
final class JobRoutes implements RoutePolicyFactory {
    static final Set<String> SCHEDULES = Set.of("timer", "scheduler", "quartz", "cron");

    private final JobRuns runs;

    JobRoutes(JobRuns runs) {
        this.runs = runs;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode node) {
        if (!(node instanceof RouteDefinition route) || routeId == null || routeId.startsWith("selfheal-")
                || !isScheduled(route) || !selfHeals(route) || !runs.settingsOf(routeId).enabled()) {
            return null;
        }
        runs.addJob(routeId);
        return new RunPolicy(routeId, splits(route.getOutputs()));
    }

    static boolean isScheduled(RouteDefinition route) {
        String uri = route.getInput() == null ? null : route.getInput().getEndpointUri();
        if (uri == null) {
            return false;
        }
        int colon = uri.indexOf(':');
        return colon > 0 && SCHEDULES.contains(uri.substring(0, colon).toLowerCase(Locale.ROOT));
    }

    private static boolean selfHeals(RouteDefinition route) {
        String ids = route.getRouteConfigurationId();
        return ids != null && Arrays.stream(ids.split(",")).map(String::trim)
                .anyMatch(SelfHealingClauses.ROUTE_CONFIGURATION_ID::equals);
    }

    private static boolean splits(List<ProcessorDefinition<?>> outputs) {
        for (ProcessorDefinition<?> p : outputs) {
            if (p instanceof SplitDefinition || splits(p.getOutputs())) {
                return true;
            }
        }
        return false;
    }

    /** Makes {@code exchange} the run's exchange: its records, calls and waits count for the run. */
    static void attach(Exchange exchange, ActiveRun run) {
        exchange.setProperty(RunRecords.ACTIVE_RUN, run);
        exchange.setProperty(SelfhealProperties.RUN_ID, run.runId());
        ExchangeState.setRunTally(exchange, run.tally());
    }

    /** The runs of one job route. */
    private final class RunPolicy extends RoutePolicySupport {
        private final String job;
        private final boolean splits;

        RunPolicy(String job, boolean splits) {
            this.job = job;
            this.splits = splits;
        }

        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            if (exchange.getProperty(ParkedReplayService.REPLAY_OF) != null
                    || exchange.getProperty(RunRecords.ACTIVE_RUN) != null) {
                return;
            }
            JobRuns.Firing firing = runs.fire(job, exchange, splits);
            if (firing.dropped()) {
                // never two runs of one job at once here: this firing does nothing
                exchange.setRouteStop(true);
                return;
            }
            ActiveRun run = firing.run();
            if (run != null) {
                // before any step ran: what a whole-run retry starts again
                run.restartable(route, exchange.copy(), RunDeadlines.of(route, exchange, runs.settingsOf(job),
                        run.begun().triggerTime()));
                attach(exchange, run);
            }
        }

        @Override
        public void onExchangeDone(Route route, Exchange exchange) {
            ActiveRun run = exchange.getProperty(RunRecords.ACTIVE_RUN, ActiveRun.class);
            if (run != null && run.exchangeId().equals(exchange.getExchangeId())) {
                runs.end(run, exchange);
            }
        }
    }
}
