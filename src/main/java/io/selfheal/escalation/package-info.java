/**
 * What happens after a give-up, without Camel: the {@link io.selfheal.escalation.GiveUp} record, the
 * {@link io.selfheal.escalation.Redactor} everything shown to people goes through, alerts
 * ({@link io.selfheal.escalation.AlertService}, {@link io.selfheal.escalation.AlertGrouper} and the log, webhook and
 * Alertmanager sinks), the durable {@link io.selfheal.escalation.ParkedStore}, and the {@code selfheal.alert.*} and
 * {@code selfheal.parked.*} sections.
 * <p>
 * Domain, Camel-free: imports the config kit, {@code jdbc}, {@code json}, {@code threads}, {@code classify},
 * {@code retry}, spring-jdbc, SLF4J and the JDK.
 */
package io.selfheal.escalation;
