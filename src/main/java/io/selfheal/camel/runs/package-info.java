/**
 * Wires {@link io.selfheal.runs} into Camel: a self-healing route started by a schedule is a job, each exchange its
 * schedule creates is a run, recorded in the run store without code in the route ({@link RunsInstaller}).
 */
package io.selfheal.camel.runs;
