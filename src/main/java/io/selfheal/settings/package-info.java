/**
 * The composition: {@link io.selfheal.settings.SelfhealConfig} loads every section from one
 * {@link io.selfheal.config.ConfigReader}, rejects unknown keys and lists every key shape ({@code knownKeys()}).
 * <p>
 * Imports the config kit and the domain sections; only the {@code camel} packages import it. No Camel.
 */
package io.selfheal.settings;
