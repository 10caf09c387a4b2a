package io.selfheal.schedule;

import io.selfheal.config.ConfigChecks;
import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigReader;
import io.selfheal.config.ConfigValues;
import io.selfheal.jdbc.JdbcSettings;
import io.selfheal.jdbc.SqlDialect;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code selfheal.schedule.*} section. Off by default: each instance's quartz:// triggers live in memory and
 * fire on that instance. With {@code clustered = true} every instance on one PostgreSQL database shares one schedule
 * (Quartz's clustered JDBC job store): each trigger fires on exactly one of them, and the triggers of an instance that
 * stops checking in fire on the others. Immutable; every error names its key.
 */
public final class ScheduleSettings {
    public static final String PREFIX = "selfheal.schedule.";
    public static final String CLUSTERED = PREFIX + "clustered";
    public static final String URL = PREFIX + "url";
    public static final String USERNAME = PREFIX + "username";
    public static final String PASSWORD = PREFIX + "password";
    public static final String TABLE_PREFIX = PREFIX + "table-prefix";
    public static final String CHECK_IN_INTERVAL = PREFIX + "check-in-interval";
    public static final String THREADS = PREFIX + "threads";

    public static final String DEFAULT_TABLE_PREFIX = "selfheal_qrtz_";
    /** Quartz's own default; an instance that dies is found about this long plus 7.5 s after its last check-in. */
    public static final Duration DEFAULT_CHECK_IN_INTERVAL = Duration.ofMillis(7_500);
    /** Triggers that may run at once on one instance (Quartz's own default). */
    public static final int DEFAULT_THREADS = 10;
    /** Each instance's job store pool: the scheduler thread, the check-in thread and the jobs completing. */
    private static final int POOL_SIZE = 4;
    private static final Duration POOL_WAIT = Duration.ofSeconds(5);
    /** Lower case, so Quartz's unquoted names and PostgreSQL's folding agree; short enough for its index names. */
    private static final Pattern TABLE_PREFIX_SHAPE = Pattern.compile("[a-z][a-z0-9_]{0,29}");

    private final boolean clustered;
    private final JdbcSettings database;
    private final String databaseKey;
    private final String tablePrefix;
    private final Duration checkInInterval;
    private final int threads;

    private ScheduleSettings(boolean clustered, JdbcSettings database, String databaseKey, String tablePrefix,
                             Duration checkInInterval, int threads) {
        this.clustered = clustered;
        this.database = database;
        this.databaseKey = databaseKey;
        this.tablePrefix = tablePrefix;
        this.checkInInterval = checkInInterval;
        this.threads = threads;
    }

    /**
     * Reads the section. Without {@code selfheal.schedule.url} the schedule lives in the parked store's database
     * ({@code parkedDatabase}, named by {@code parkedUrlKey} in errors).
     *
     * @throws ConfigException when clustering is on and the database is not PostgreSQL, naming the key of its URL
     */
    public static ScheduleSettings read(ConfigReader reader, JdbcSettings parkedDatabase, String parkedUrlKey) {
        boolean clustered = reader.read(CLUSTERED, ConfigValues::bool, false);
        Optional<String> url = reader.take(URL).map(String::trim).filter(s -> !s.isEmpty());
        Optional<String> username = reader.take(USERNAME);
        Optional<String> password = reader.take(PASSWORD);
        String tablePrefix = reader.read(TABLE_PREFIX, ScheduleSettings::tablePrefix, DEFAULT_TABLE_PREFIX);
        Duration checkIn = reader.read(CHECK_IN_INTERVAL, (k, v) -> ConfigChecks.atLeastOneMilli(k,
                ConfigValues.duration(k, v)), DEFAULT_CHECK_IN_INTERVAL);
        int threads = reader.read(THREADS, (k, v) -> ConfigChecks.atLeast(k, ConfigValues.integer(k, v), 1,
                "threads that run triggers"), DEFAULT_THREADS);
        url.ifPresent(u -> {
            if (SqlDialect.fromUrl(u).isEmpty()) {
                throw new ConfigException(URL, "Unsupported database for " + URL + ": expected a jdbc:postgresql: URL");
            }
            SqlDialect.missingDriver(u).ifPresent(why -> {
                throw new ConfigException(URL, URL + ": " + why);
            });
        });
        // without a URL of its own the schedule is in the parked store's database; its own user, if one is given
        JdbcSettings database = new JdbcSettings(url.orElse(parkedDatabase.url()),
                username.orElse(url.isPresent() ? "" : parkedDatabase.username()),
                password.orElse(url.isPresent() ? "" : parkedDatabase.password()), POOL_SIZE, POOL_WAIT);
        String databaseKey = url.isPresent() ? URL : parkedUrlKey;
        if (clustered && database.dialect().orElse(null) != SqlDialect.POSTGRESQL) {
            throw new ConfigException(databaseKey, CLUSTERED + " = true needs a PostgreSQL database, and " + databaseKey
                    + " is " + database.describeUrl() + "; set " + URL + " (or " + parkedUrlKey
                    + ") to a jdbc:postgresql:// URL, or turn clustering off");
        }
        return new ScheduleSettings(clustered, database, databaseKey, tablePrefix, checkIn, threads);
    }

    private static String tablePrefix(String key, String value) {
        String v = value.trim();
        if (!TABLE_PREFIX_SHAPE.matcher(v).matches()) {
            throw new ConfigException(TABLE_PREFIX, "Invalid table prefix '" + value + "' for " + TABLE_PREFIX
                    + ": expected a lower-case letter, then up to 29 lower-case letters, digits or '_', such as "
                    + DEFAULT_TABLE_PREFIX);
        }
        return v;
    }

    /** Whether the instances on one database share one schedule; false: an in-memory schedule per instance. */
    public boolean clustered() {
        return clustered;
    }

    /** The schedule's database, as the job store's pool opens it. */
    public JdbcSettings database() {
        return database;
    }

    /** The key that named {@link #database()}: {@value #URL}, or the parked store's URL key. */
    public String databaseKey() {
        return databaseKey;
    }

    /** Put before Quartz's table names ({@code job_details}, {@code triggers}, ...); one schedule per prefix. */
    public String tablePrefix() {
        return tablePrefix;
    }

    /**
     * How often each instance records that it is alive. Shorter finds a dead instance sooner (its triggers fire
     * elsewhere about this long plus 7.5 s after its last check-in) at the cost of a database write per interval per
     * instance.
     */
    public Duration checkInInterval() {
        return checkInInterval;
    }

    public int threads() {
        return threads;
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "ScheduleSettings[clustered=" + clustered + ", database=" + database + ", tablePrefix=" + tablePrefix
                + ", checkInInterval=" + checkInInterval.toMillis() + "ms, threads=" + threads + "]";
    }
}
