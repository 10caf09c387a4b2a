package io.selfheal.runs;

import io.selfheal.config.ConfigChecks;
import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigReader;
import io.selfheal.config.ConfigSection;
import io.selfheal.config.ConfigValues;
import io.selfheal.config.PerUpstream;
import io.selfheal.retry.RetryPolicy;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How the runs of one job are kept, judged and paged: {@code selfheal.jobs.defaults.<key>} for every job,
 * {@code selfheal.jobs.<job>.<key>} on top of them for one (the job is the id of the route its schedule starts).
 * Immutable; every error names its key.
 *
 * @param enabled        false: the job's runs are not recorded (nor paged)
 * @param retention      ended runs older than this are purged
 * @param pagePolicy     which ended runs page
 * @param runbook        linked from every page of the job
 * @param misfire        a trigger that fires while a run is in progress
 * @param runDeadline    no whole-run retry starts later than this after the run's trigger; empty: the schedule's
 *                       next trigger where it is known, else no deadline
 * @param runMaxAttempts how many times a run whose own first step (its fetch) gave up is started as a whole, the first
 *                       included; its waits follow the fetch's upstream retry policy
 * @param timeZone       the zone a page names the run's trigger time in
 */
public record JobSettings(boolean enabled, Duration retention, RunPagePolicy pagePolicy, Optional<String> runbook,
                          MisfirePolicy misfire, Optional<Duration> runDeadline, int runMaxAttempts, ZoneId timeZone) {
    public static final String SECTION = "selfheal.jobs.";
    public static final String DEFAULTS = SECTION + "defaults.";

    public static final String ENABLED = "enabled";
    public static final String RETENTION = "retention";
    public static final String PAGE = "page";
    public static final String PAGE_PARKED_COUNT = "page-parked-count";
    public static final String PAGE_PARKED_SHARE = "page-parked-share";
    public static final String RUNBOOK = "runbook";
    public static final String MISFIRE = "misfire";
    public static final String RUN_DEADLINE = "run-deadline";
    public static final String RUN_MAX_ATTEMPTS = "run-max-attempts";
    public static final String TIME_ZONE = "time-zone";

    static final List<String> KEYS = List.of(ENABLED, RETENTION, PAGE, PAGE_PARKED_COUNT, PAGE_PARKED_SHARE, RUNBOOK,
            MISFIRE, RUN_DEADLINE, RUN_MAX_ATTEMPTS, TIME_ZONE);

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    public JobSettings {
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(pagePolicy, "pagePolicy");
        Objects.requireNonNull(runbook, "runbook");
        Objects.requireNonNull(misfire, "misfire");
        Objects.requireNonNull(runDeadline, "runDeadline");
        Objects.requireNonNull(timeZone, "timeZone");
    }

    /** The built-in settings; a run is started at most as often as {@code retryDefaults} calls an upstream. */
    public static JobSettings defaults(RetryPolicy retryDefaults) {
        return new JobSettings(true, DEFAULT_RETENTION, RunPagePolicy.defaults(), Optional.empty(), MisfirePolicy.SKIP,
                Optional.empty(), retryDefaults.maxAttempts(), ZoneOffset.UTC);
    }

    /**
     * Takes every selfheal.jobs.* key from {@code reader}; errors name the key. {@code run-max-attempts} defaults to
     * {@code retryDefaults}' max-attempts (selfheal.defaults.max-attempts).
     */
    public static PerUpstream<JobSettings> read(ConfigReader reader, RetryPolicy retryDefaults) {
        return PerUpstream.read(reader, DEFAULTS, SECTION, KEYS, defaults(retryDefaults), JobSettings::read);
    }

    private static JobSettings read(ConfigSection keys, JobSettings base) {
        boolean enabled = keys.read(ENABLED, ConfigValues::bool, base.enabled());
        Duration retention = ConfigChecks.positive(keys.key(RETENTION),
                keys.read(RETENTION, ConfigValues::duration, base.retention()));
        RunPagePolicy.Trigger trigger = keys.read(PAGE, (k, v) -> RunPagePolicy.Trigger.of(v).orElseThrow(
                () -> new ConfigException(k, "Invalid value '" + v + "' for " + k + ": expected any-partial, "
                        + "parked-count, parked-share, failed-only or never")), base.pagePolicy().trigger());
        long count = ConfigChecks.atLeast(keys.key(PAGE_PARKED_COUNT), keys.read(PAGE_PARKED_COUNT,
                ConfigValues::integer, (int) base.pagePolicy().parkedCount()), 0, "parked records a run may have "
                + "without paging");
        double share = keys.read(PAGE_PARKED_SHARE, JobSettings::share, base.pagePolicy().parkedShare());
        Optional<String> runbook = keys.read(RUNBOOK, (k, v) -> runbook(k, v), base.runbook());
        MisfirePolicy misfire = keys.read(MISFIRE, (k, v) -> MisfirePolicy.of(v).orElseThrow(
                () -> new ConfigException(k, "Invalid value '" + v + "' for " + k + ": expected skip or queue")),
                base.misfire());
        Optional<Duration> deadline = keys.read(RUN_DEADLINE, (k, v) -> v.equalsIgnoreCase("none") ? Optional.empty()
                : Optional.of(ConfigChecks.positive(k, ConfigValues.duration(k, v))), base.runDeadline());
        int attempts = ConfigChecks.atLeast(keys.key(RUN_MAX_ATTEMPTS), keys.read(RUN_MAX_ATTEMPTS,
                ConfigValues::integer, base.runMaxAttempts()), 1, "starts of a run, the first included");
        ZoneId zone = keys.read(TIME_ZONE, JobSettings::zone, base.timeZone());
        return new JobSettings(enabled, retention, new RunPagePolicy(trigger, count, share), runbook, misfire, deadline,
                attempts, zone);
    }

    /** "1%" or "0.01". */
    private static double share(String key, String value) {
        String v = value.trim();
        double share = v.endsWith("%") ? ConfigValues.decimal(key, v.substring(0, v.length() - 1)) / 100
                : ConfigValues.decimal(key, v);
        if (!(share >= 0 && share <= 1)) {
            throw new ConfigException(key, "Invalid value '" + value + "' for " + key
                    + ": a share of the run's records, 0 to 1 or 0% to 100%");
        }
        return share;
    }

    private static Optional<String> runbook(String key, String value) {
        if (value.isBlank()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return Optional.of(value);
            }
        } catch (URISyntaxException e) {
            // said below
        }
        throw new ConfigException(key, "Invalid value '" + value + "' for " + key
                + ": expected an http:// or https:// URL, such as https://runbooks.example/inventory-sync");
    }

    private static ZoneId zone(String key, String value) {
        try {
            return ZoneId.of(value.trim());
        } catch (DateTimeException e) {
            throw new ConfigException(key, "Invalid time zone '" + value + "' for " + key
                    + ": expected a region such as Europe/Berlin, or UTC, or an offset such as +02:00");
        }
    }
}
