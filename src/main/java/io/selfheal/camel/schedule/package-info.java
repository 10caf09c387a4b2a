/**
 * Clustered schedules in Camel: {@link io.selfheal.camel.schedule.ScheduleInstaller} gives camel-quartz's
 * {@code quartz} component Quartz's clustered JDBC job store when {@code selfheal.schedule.clustered} is on, through
 * {@link io.selfheal.camel.schedule.ClusteredSchedulerFactory} (the tables first, then one scheduler per CamelContext),
 * {@link io.selfheal.camel.schedule.PooledConnectionProvider} (the job store's connections from Selfheal's pool) and
 * {@link io.selfheal.camel.schedule.InstanceIds} (an instance id unique per process and context).
 * <p>
 * Imports Camel, Quartz, the {@code camel} root and the domain packages {@code schedule} and {@code jdbc}.
 */
package io.selfheal.camel.schedule;
