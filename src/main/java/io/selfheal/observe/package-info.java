/**
 * What Selfheal tells operators: {@link io.selfheal.observe.SelfhealMeters} (meter names and tags, a contract that
 * the shipped dashboard and alert rules use), {@link io.selfheal.observe.LogFields} and
 * {@link io.selfheal.observe.LogFormatSwitch} (JSON log lines), and the retry-drift
 * {@link io.selfheal.observe.RetryReport}.
 * <p>
 * Domain, Camel-free: imports the config kit, Micrometer, SLF4J, Log4j (only when it is the logging backend) and the
 * JDK.
 */
package io.selfheal.observe;
