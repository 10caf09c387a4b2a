/**
 * Selfheal in Apache Camel: the root holds what every room shares and what puts them together:
 * {@link io.selfheal.camel.Selfheal} (the installer), {@link io.selfheal.camel.SelfhealRuntime} (the live
 * configuration, classifier, breakers, budgets and listeners of one CamelContext), the {@code self-healing} route
 * configuration ({@link io.selfheal.camel.SelfHealingClauses}), Selfheal's Kamelets ({@link io.selfheal.camel.SelfhealKamelets}),
 * {@link io.selfheal.camel.SelfhealMain} (the jar's entry point), {@link io.selfheal.camel.SelfhealProperties} (the
 * exchange properties and headers users see) and {@link io.selfheal.camel.ExchangeState} (Selfheal's own).
 * <p>
 * {@code io.selfheal.camel} and its rooms ({@code retry}, {@code breaker}, {@code idempotency}, {@code escalation},
 * {@code observe}, {@code cli}) are the packages that import {@code org.apache.camel}; each room wires the domain
 * package of its name into Camel. The root imports the domain packages, the config kit and Camel; as the installer
 * and the route configuration it also imports the rooms' entry points, and the rooms import the root.
 */
package io.selfheal.camel;
