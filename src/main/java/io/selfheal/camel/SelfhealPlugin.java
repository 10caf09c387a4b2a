package io.selfheal.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteBuilderLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RoutesDefinition;
import org.apache.camel.spi.ContextServicePlugin;
import org.apache.camel.support.PatternHelper;

/**
 * Selfheal on the classpath is Selfheal installed where a route asks for it, with no code: Camel discovers this plugin
 * (Java ServiceLoader, {@code META-INF/services/org.apache.camel.spi.ContextServicePlugin}) in every CamelContext it
 * builds, in camel-main, a plain context, or a runtime that adds dependencies at start (Camel JBang's {@code --dep}).
 * <p>
 * It installs nothing when the context is built: the properties may not be set yet, and a context whose routes do not
 * self-heal should not get Selfheal's routes and stores. It installs when the first route builder that holds a route
 * naming {@code self-healing} has been configured, and prepares that builder's routes again (Camel merges route
 * configurations as it prepares a route), before they are added: the properties the user set before adding routes
 * are the ones it reads.
 * Whoever calls {@link Selfheal#install} first wins; an invalid configuration fails the adding of those routes.
 */
public final class SelfhealPlugin implements ContextServicePlugin {
    static final String BEAN_NAME = "selfhealAutoInstall";

    @Override
    public void load(CamelContext context) {
        context.getRegistry().bind(BEAN_NAME, RouteBuilderLifecycleStrategy.class, new AutoInstall(context));
    }

    /** Installs Selfheal as a route builder that asks for it is configured, unless it is installed already. */
    static final class AutoInstall implements RouteBuilderLifecycleStrategy {
        private final CamelContext context;

        AutoInstall(CamelContext context) {
            this.context = context;
        }

        @Override
        public void afterConfigure(RouteBuilder builder) {
            if (builder.getContext() != context || !asksForSelfHealing(builder)
                    || InstalledBeans.lookup(context, SelfhealRuntime.BEAN_NAME, SelfhealRuntime.class) != null) {
                return;
            }
            RoutesDefinition routes = builder.getRouteCollection();
            if (!routes.getOnExceptions().isEmpty() || !routes.getIntercepts().isEmpty()
                    || !routes.getInterceptFroms().isEmpty() || !routes.getInterceptSendTos().isEmpty()
                    || !routes.getOnCompletions().isEmpty()) {
                // preparing these routes again would add the builder's own clauses a second time
                throw new IllegalStateException("Selfheal is not installed, and " + builder.getClass().getName()
                        + " declares route-builder-wide clauses (onException, intercept, onCompletion) beside a"
                        + " self-healing route; call Selfheal.install(context) before adding routes");
            }
            try {
                Selfheal.install(context);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            // the builder prepared its routes as it was configured, when no self-healing configuration existed yet:
            // prepare them again, as Camel does on a reload, now that it does
            for (RouteDefinition route : routes.getRoutes()) {
                route.markUnprepared();
                routes.prepareRoute(route);
            }
        }

        private static boolean asksForSelfHealing(RouteBuilder builder) {
            return builder.getRouteCollection().getRoutes().stream()
                    .map(r -> r.getRouteConfigurationId())
                    .filter(id -> id != null && !id.isBlank())
                    .flatMap(id -> java.util.Arrays.stream(id.split(",")))
                    .anyMatch(id -> PatternHelper.matchPattern(SelfHealingClauses.ROUTE_CONFIGURATION_ID, id.trim()));
        }
    }
}
