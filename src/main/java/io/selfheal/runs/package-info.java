/**
 * Scheduled data jobs as the unit, without Camel: a route started by a schedule is a job, each firing a
 * {@link io.selfheal.runs.JobRun}. A run's counts ({@link io.selfheal.runs.RunCounts}, built by the thread-safe
 * {@link io.selfheal.runs.RunTally}) judge its {@link io.selfheal.runs.RunOutcome}; the {@link io.selfheal.runs.RunStore}
 * keeps every run in the parked store's database; {@link io.selfheal.runs.RunPagePolicy} and
 * {@link io.selfheal.runs.RunPage} say which runs page a human and in what words; {@link io.selfheal.runs.JobHealth}
 * gives success over a window and drift; {@link io.selfheal.runs.JobSettings} is the {@code selfheal.jobs.*} section.
 * The camel layer records into it from its error handling, give-up and replay paths and its schedule consumers.
 * <p>
 * Domain, Camel-free: imports the config kit, {@code jdbc}, {@code json}, {@code retry}, spring-jdbc and the JDK.
 */
package io.selfheal.runs;
