/**
 * {@link io.selfheal.threads.ThreadSource}: where the threads of the domain classes come from (the alert sinks and
 * ticker, the claim renewer), so the camel layer can hand them a CamelContext's threads and the CLI its own daemons.
 * <p>
 * Ground, Camel-free: the JDK only.
 */
package io.selfheal.threads;
