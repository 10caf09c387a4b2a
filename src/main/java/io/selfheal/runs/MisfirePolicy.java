package io.selfheal.runs;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a trigger that fires while the job's previous run is still in progress does; either way two runs of one job
 * never overlap on one instance.
 */
public enum MisfirePolicy {
    /** The firing is dropped (and said in the log): the next trigger starts the next run. */
    SKIP,
    /** The firing waits and starts a run as soon as the current one ends; at most one waits, later ones are dropped. */
    QUEUE;

    /** By name, any case; empty when none has it. */
    public static Optional<MisfirePolicy> of(String name) {
        String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.name().equals(n)).findFirst();
    }
}
