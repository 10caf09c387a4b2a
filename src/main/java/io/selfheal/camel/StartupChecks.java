package io.selfheal.camel;

import io.selfheal.config.ConfigReader;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PatternHelper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What start-up refuses, each with one message that says what is wrong and what to do, instead of running in a way the
 * user did not ask for: a route naming a route configuration that does not exist (Camel ignores it, so the route would
 * run unprotected), a port another process holds (camel-main logs the failure and carries on without its HTTP server),
 * and, for the jar, nothing to run. And a failure Camel words for itself but a user of the jar cannot act on alone:
 * a component that is not on the class path.
 */
final class StartupChecks {
    /** Route ids of Selfheal's own routes (escalation, parked API) start with this. */
    static final String OWN_ROUTE_PREFIX = "selfheal-";

    /**
     * How Camel says a route names a component the class path lacks: "No component found with scheme: kafka" (alone or
     * inside "Failed to resolve endpoint: ... due to: ..."), or, for a route's {@code from}, "No endpoint could be found
     * for: kafka://orders?..., please check your classpath contains the needed Camel component jar."
     */
    private static final Pattern NO_COMPONENT = Pattern.compile(
            "No component found with scheme: [A-Za-z0-9+.-]+|No endpoint could be found for: [A-Za-z][A-Za-z0-9+.-]*:");

    private StartupChecks() {
    }

    /**
     * Every {@code routeConfigurationId} a route names matches a route configuration (as Camel matches them: an id or
     * a wildcard pattern); else start-up stops naming the route and the nearest configuration id.
     */
    static void routeConfigurationsExist(CamelContext context) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        if (model == null) {
            return;
        }
        List<String> configurations = model.getRouteConfigurationDefinitions().stream()
                .map(RouteConfigurationDefinition::getId).filter(Objects::nonNull).sorted().toList();
        for (RouteDefinition route : model.getRouteDefinitions()) {
            String named = route.getRouteConfigurationId();
            if (named == null || named.isBlank()) {
                continue;
            }
            for (String wanted : named.split(",")) {
                String id = wanted.trim();
                if (id.isEmpty() || configurations.stream().anyMatch(c -> PatternHelper.matchPattern(c, id))) {
                    continue;
                }
                throw new IllegalStateException(unknownConfiguration(route.getRouteId(), id, configurations));
            }
        }
    }

    /**
     * Camel merges a route configuration into a route as the route is added, so a route added before Selfheal named a
     * configuration that did not exist yet and would run without self-healing: refuse, saying when to install.
     */
    static void noSelfHealingRoutesYet(CamelContext context) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        if (model == null) {
            return;
        }
        List<String> early = model.getRouteDefinitions().stream()
                .filter(r -> r.getRouteConfigurationId() != null && java.util.Arrays.stream(
                        r.getRouteConfigurationId().split(",")).map(String::trim)
                        .anyMatch(id -> PatternHelper.matchPattern(SelfHealingClauses.ROUTE_CONFIGURATION_ID, id)))
                .map(RouteDefinition::getRouteId).toList();
        if (!early.isEmpty()) {
            throw new IllegalStateException("Selfheal.install: route(s) " + early + " were added to the CamelContext"
                    + " before Selfheal and would run without self-healing; call Selfheal.install(context) before"
                    + " adding routes (with camel-main, Selfheal.install(main) before main.run())");
        }
    }

    static String unknownConfiguration(String routeId, String id, List<String> configurations) {
        String nearest = configurations.stream().min(Comparator.comparingInt(c -> distance(c, id))).orElse(null);
        StringBuilder sb = new StringBuilder("route '").append(routeId).append("' names routeConfigurationId '")
                .append(id).append("', which no route configuration has, so none of its error handling would apply");
        if (nearest != null && distance(nearest, id) <= Math.max(3, id.length() / 2)) {
            sb.append("; did you mean '").append(nearest).append("'?");
        }
        sb.append(" (route configurations: ").append(configurations.isEmpty() ? "none" : String.join(", ", configurations))
                .append(')');
        return sb.toString();
    }

    private static int distance(String a, String b) {
        return ConfigReader.levenshtein(a.toLowerCase(Locale.ROOT), b.toLowerCase(Locale.ROOT));
    }

    /**
     * An HTTP server the configuration enables can listen on its host and port. camel-main's server binds
     * asynchronously and, when the port is taken, logs a stack trace and starts everything else, so the jar would run
     * without the server (and its routes call whoever holds the port). Checked by binding the address once before
     * start.
     */
    static void portFree(boolean enabled, String host, int port, String portKey, String hostKey) {
        if (!enabled || port <= 0) {
            return;
        }
        String bindHost = host == null || host.isBlank() ? "0.0.0.0" : host;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(bindHost, port));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + bindHost + ":" + port + " (" + e.getMessage()
                    + "): port " + port + " is set by " + portKey + " (host by " + hostKey + "); stop what holds the"
                    + " port or set " + portKey + " to a free one");
        }
    }

    /** The jar has something of the user's to run: a route that is not one of Selfheal's own. */
    static void userRoutesPresent(CamelContext context, String includePattern) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        if (model == null) {
            return;
        }
        boolean any = model.getRouteDefinitions().stream()
                .anyMatch(r -> r.getRouteId() == null || !r.getRouteId().startsWith(OWN_ROUTE_PREFIX));
        if (!any) {
            throw new IllegalStateException(noRoutes(includePattern, "no route was found there"));
        }
    }

    static String noRoutes(String includePattern, String why) {
        return "no routes to run: camel.main.routes-include-pattern is " + includePattern + " and " + why
                + " (working directory " + Path.of("").toAbsolutePath() + "). Put your YAML routes in ./routes/ and"
                + " settings in ./config/application.properties, or set camel.main.routes-include-pattern; to run the"
                + " demo, start the jar in a clone of the project, where routes/ and config/ hold it";
    }

    /**
     * A start-up failure's one line, with where to put a missing component when Camel found none for a route's scheme
     * (the jar ships a few; the others go in the lib folder, see {@link Launcher}); any other line unchanged.
     */
    static String withComponentHint(String line) {
        return withComponentHint(line, Launcher.folderName(System.getProperty(Launcher.PROPERTY), System.getenv()));
    }

    static String withComponentHint(String line, String libFolder) {
        if (line == null || !NO_COMPONENT.matcher(line).find()) {
            return line;
        }
        return line + " (add the component's jar and its dependencies to " + libFolder
                + ": docs/guides/operations.md#adding-components)";
    }
}
