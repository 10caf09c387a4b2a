/**
 * The jar's command line: {@code parked} ({@link io.selfheal.camel.cli.ParkedCli}) and {@code report}
 * ({@link io.selfheal.camel.cli.ReportCommand}), with the configuration the running jar would read
 * ({@link io.selfheal.camel.JobProperties}).
 * <p>
 * Imports the {@code camel} root, {@code settings}, the config kit, the domain packages {@code escalation} and
 * {@code observe}, and {@code camel.escalation} (the parked views and replay requests).
 */
package io.selfheal.camel.cli;
