/**
 * The config kit: {@link io.selfheal.config.ConfigReader} (the raw {@code selfheal.*} properties; what no section takes
 * is a typo that stops start-up), {@link io.selfheal.config.ConfigValues}, {@link io.selfheal.config.ByteSizes} and
 * {@link io.selfheal.config.ConfigException}, which always names its key.
 * <p>
 * Ground: imports the JDK only and nothing of {@code io.selfheal}, so every other package can read its settings with
 * it. {@link io.selfheal.config.SelfhealConfig}, which composes the domain sections and so imports them, is the one
 * exception and belongs in a composition package of its own.
 */
package io.selfheal.config;
