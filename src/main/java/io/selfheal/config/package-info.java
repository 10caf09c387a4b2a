/**
 * The config kit: {@link io.selfheal.config.ConfigReader} (the raw {@code selfheal.*} properties; what no section takes
 * is a typo that stops start-up), {@link io.selfheal.config.ConfigSection} (the keys under one prefix),
 * {@link io.selfheal.config.PerUpstream} (the one way per-upstream keys are found), {@link io.selfheal.config.ConfigValues},
 * {@link io.selfheal.config.ConfigChecks}, {@link io.selfheal.config.ByteSizes}, {@link io.selfheal.config.Durations}
 * and {@link io.selfheal.config.ConfigException}, which always names its key.
 * <p>
 * Ground: imports the JDK only and no other Selfheal package, so every section can read its settings with it; the
 * sections are composed above them, in {@code settings}.
 */
package io.selfheal.config;
