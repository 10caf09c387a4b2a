package io.selfheal.runs;

import io.selfheal.config.ConfigChecks;
import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigReader;
import io.selfheal.config.ConfigValues;

import java.time.Duration;
import java.util.Objects;

/**
 * How a run in progress shows it is alive, and when a silent one is given up: {@code selfheal.jobs.heartbeat-interval}
 * and {@code selfheal.jobs.abandon-after}, one pair for the instance (not per job: one ticker writes every run's
 * heartbeat). Immutable; every error names its key.
 *
 * @param interval     how often each run in progress writes its counts (its heartbeat), and how often an instance
 *                     looks for runs of any instance that went silent
 * @param abandonAfter a RUNNING run without a heartbeat for this long is ABANDONED (its process died, or lost the
 *                     database); at least {@value #MIN_BEATS} heartbeats, so one slow write does not abandon a live run
 */
public record RunHeartbeat(Duration interval, Duration abandonAfter) {
    public static final String INTERVAL = JobSettings.SECTION + "heartbeat-interval";
    public static final String ABANDON_AFTER = JobSettings.SECTION + "abandon-after";

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
    public static final Duration DEFAULT_ABANDON_AFTER = Duration.ofMinutes(2);
    /** Heartbeats a run may miss before it is abandoned, at least. */
    public static final int MIN_BEATS = 3;

    public RunHeartbeat {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(abandonAfter, "abandonAfter");
    }

    public static RunHeartbeat defaults() {
        return new RunHeartbeat(DEFAULT_INTERVAL, DEFAULT_ABANDON_AFTER);
    }

    /** Takes both keys from {@code reader}; errors name the key. */
    public static RunHeartbeat read(ConfigReader reader) {
        Duration interval = reader.read(INTERVAL, (k, v) -> ConfigChecks.atLeastOneMilli(k, ConfigValues.duration(k, v)),
                DEFAULT_INTERVAL);
        Duration abandonAfter = reader.read(ABANDON_AFTER, (k, v) -> ConfigChecks.atLeastOneMilli(k,
                ConfigValues.duration(k, v)), DEFAULT_ABANDON_AFTER);
        Duration least = interval.multipliedBy(MIN_BEATS);
        if (abandonAfter.compareTo(least) < 0) {
            throw new ConfigException(ABANDON_AFTER, "Invalid value " + abandonAfter + " for " + ABANDON_AFTER
                    + ": must be at least " + MIN_BEATS + " times " + INTERVAL + " (" + interval + "), that is "
                    + least + ", so a live run that misses a heartbeat is not abandoned");
        }
        return new RunHeartbeat(interval, abandonAfter);
    }
}
