/**
 * The jar's command line, one picocli tree ({@link io.selfheal.camel.cli.SelfhealCommand}): {@code run}
 * ({@link io.selfheal.camel.cli.RunCommand}), {@code parked} ({@link io.selfheal.camel.cli.ParkedCommand}) and
 * {@code report} ({@link io.selfheal.camel.cli.ReportCommand}), with the configuration the running jar would read
 * ({@link io.selfheal.camel.JobProperties}). The commands parse and print; the store and the services decide.
 * <p>
 * Imports the {@code camel} root, {@code settings}, the config kit, the domain packages {@code escalation} and
 * {@code observe}, and {@code camel.escalation} (the parked views and replay requests).
 */
package io.selfheal.camel.cli;
