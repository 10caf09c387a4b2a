package io.selfheal.camel;

import org.apache.camel.builder.RouteConfigurationBuilder;

/** The route configuration {@code self-healing}: routes that name it inherit the whole recipe. */
public class SelfHealingRouteConfiguration extends RouteConfigurationBuilder {
    @Override
    public void configuration() {
        SelfHealingClauses.applyTo(routeConfiguration(SelfHealingClauses.ROUTE_CONFIGURATION_ID));
    }
}
