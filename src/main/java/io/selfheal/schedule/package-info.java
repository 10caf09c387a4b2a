/**
 * Clustered schedules, without Camel: {@link io.selfheal.schedule.ScheduleSettings} (the {@code selfheal.schedule.*}
 * section: whether several instances share one schedule, on which PostgreSQL database, how often each checks in) and
 * {@link io.selfheal.schedule.QuartzTables} (Quartz's job store tables, created from the DDL Quartz ships on first
 * start, once however many instances start together). The camel layer hands them to camel-quartz.
 * <p>
 * Domain, Camel-free: imports the config kit, {@code jdbc} and the JDK.
 */
package io.selfheal.schedule;
