package io.selfheal.escalation;

import io.selfheal.config.ByteSizes;
import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigReader;
import io.selfheal.config.ConfigValues;
import io.selfheal.jdbc.JdbcSettings;
import io.selfheal.jdbc.SqlDialect;
import io.selfheal.retry.GiveUpReason;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code selfheal.parked.*} section: where given-up messages are stored, what of them is kept, who may replay
 * them over HTTP, and when they are replayed without anyone acting. Immutable; every error names its key.
 */
public final class ParkedSettings {
    public static final String PREFIX = "selfheal.parked.";
    public static final String URL = PREFIX + "url";
    public static final String USERNAME = PREFIX + "username";
    public static final String PASSWORD = PREFIX + "password";
    public static final String TABLE = PREFIX + "table";
    public static final String SENSITIVE_HEADERS = PREFIX + "sensitive-headers";
    public static final String SENSITIVE_HEADER_MODE = PREFIX + "sensitive-header-mode";
    public static final String MAX_BODY_SIZE = PREFIX + "max-body-size";
    public static final String API_TOKEN = PREFIX + "api-token";
    public static final String REPLAY_POLL_INTERVAL = PREFIX + "replay-poll-interval";
    public static final String REPLAY_TIMEOUT = PREFIX + "replay-timeout";
    public static final String AUTO_REPLAY_ENABLED = PREFIX + "auto-replay.enabled";
    public static final String AUTO_REPLAY_REASONS = PREFIX + "auto-replay.reasons";
    public static final String AUTO_REPLAY_RATE = PREFIX + "auto-replay.rate";
    public static final String STORE_RETRY_INITIAL_DELAY = PREFIX + "store-retry.initial-delay";
    public static final String STORE_RETRY_MAX_DELAY = PREFIX + "store-retry.max-delay";

    /**
     * An H2 file under ./data. WRITE_DELAY=0 writes each commit through at once: the source deletes its copy as soon
     * as park() returns, and with H2's default write delay (500 ms) a SIGKILL would lose the messages parked in the
     * last half second from both places.
     */
    public static final String DEFAULT_URL = "jdbc:h2:file:./data/selfheal-parked;AUTO_SERVER=TRUE;WRITE_DELAY=0";
    /** The store's pool: see {@link #jdbc()}. */
    private static final int POOL_SIZE = 16;
    private static final Duration POOL_WAIT = Duration.ofSeconds(5);
    /** An embedded H2 file is never "down", only being handed over: see {@link #jdbc()}. */
    private static final Duration H2_FILE_POOL_WAIT = Duration.ofSeconds(30);
    public static final String DEFAULT_TABLE = "selfheal_parked";
    public static final long DEFAULT_MAX_BODY_SIZE = 10L * 1024 * 1024;
    public static final Duration DEFAULT_REPLAY_POLL_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_REPLAY_TIMEOUT = Duration.ofHours(1);
    public static final Set<GiveUpReason> DEFAULT_AUTO_REPLAY_REASONS = Set.copyOf(EnumSet.of(GiveUpReason.BREAKER_OPEN,
            GiveUpReason.BUDGET_EXHAUSTED, GiveUpReason.DURATION, GiveUpReason.RETRY_AFTER_BEYOND_CAP));
    public static final double DEFAULT_AUTO_REPLAY_RATE = 5.0;
    public static final Duration DEFAULT_STORE_RETRY_INITIAL_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_STORE_RETRY_MAX_DELAY = Duration.ofMinutes(1);

    /** What happens to a sensitive header (Authorization, Cookie, API keys...) when a message is parked. */
    public enum SensitiveHeaderMode {
        /** Kept by name with the value {@value Redactor#MASK}, so a reader sees it was there; not re-sent on replay. */
        REDACT,
        /** Left out entirely. */
        DROP
    }

    private final String url;
    private final String username;
    private final String password;
    private final String table;
    private final Redactor redactor;
    private final SensitiveHeaderMode sensitiveHeaderMode;
    private final long maxBodySize;
    private final String apiToken;
    private final Duration replayPollInterval;
    private final Duration replayTimeout;
    private final boolean autoReplayEnabled;
    private final Set<GiveUpReason> autoReplayReasons;
    private final double autoReplayRate;
    private final Duration storeRetryInitialDelay;
    private final Duration storeRetryMaxDelay;

    private ParkedSettings(String url, String username, String password, String table, Redactor redactor,
                         SensitiveHeaderMode mode, long maxBodySize, String apiToken, Duration replayPollInterval,
                         Duration replayTimeout, boolean autoReplayEnabled, Set<GiveUpReason> autoReplayReasons,
                         double autoReplayRate, Duration storeRetryInitialDelay, Duration storeRetryMaxDelay) {
        this.url = url;
        this.username = username;
        this.password = password;
        this.table = table;
        this.redactor = redactor;
        this.sensitiveHeaderMode = mode;
        this.maxBodySize = maxBodySize;
        this.apiToken = apiToken;
        this.replayPollInterval = replayPollInterval;
        this.replayTimeout = replayTimeout;
        this.autoReplayEnabled = autoReplayEnabled;
        this.autoReplayReasons = Set.copyOf(autoReplayReasons);
        this.autoReplayRate = autoReplayRate;
        this.storeRetryInitialDelay = storeRetryInitialDelay;
        this.storeRetryMaxDelay = storeRetryMaxDelay;
    }

    public static ParkedSettings read(ConfigReader reader) {
        String url = reader.take(URL).filter(v -> !v.isBlank()).orElse(DEFAULT_URL);
        if (SqlDialect.fromUrl(url).isEmpty()) { // fails early, naming the key, for a database the store cannot speak to
            throw new ConfigException(URL, "Unsupported database for " + URL
                    + ": expected a jdbc:h2:, jdbc:postgresql: or jdbc:mariadb: URL");
        }
        SqlDialect.missingDriver(url).ifPresent(why -> {
            throw new ConfigException(URL, URL + ": " + why);
        });
        String username = reader.take(USERNAME).orElse(url.startsWith("jdbc:h2:") ? "sa" : null);
        String password = reader.take(PASSWORD).orElse("");
        String table = reader.take(TABLE).filter(v -> !v.isBlank()).orElse(DEFAULT_TABLE);
        if (!table.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
            throw new ConfigException(TABLE, "Invalid table name '" + table + "' for " + TABLE
                    + ": letters, digits and underscores, starting with a letter or underscore");
        }
        Set<String> extra = reader.take(SENSITIVE_HEADERS).map(v -> Arrays.stream(v.split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new)))
                .orElse(new LinkedHashSet<>());
        SensitiveHeaderMode mode = reader.take(SENSITIVE_HEADER_MODE).map(v -> {
            try {
                return SensitiveHeaderMode.valueOf(v.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(SENSITIVE_HEADER_MODE, "Invalid value '" + v + "' for "
                        + SENSITIVE_HEADER_MODE + ": expected redact or drop");
            }
        }).orElse(SensitiveHeaderMode.REDACT);
        long maxBody = reader.take(MAX_BODY_SIZE).map(v -> ByteSizes.parse(MAX_BODY_SIZE, v)).orElse(DEFAULT_MAX_BODY_SIZE);
        if (maxBody < 1) {
            throw new ConfigException(MAX_BODY_SIZE, "Invalid value for " + MAX_BODY_SIZE + ": must be at least 1 byte");
        }
        String token = reader.take(API_TOKEN).filter(v -> !v.isBlank()).orElse(null);
        if (token != null && token.length() < 16) {
            throw new ConfigException(API_TOKEN, API_TOKEN + " is too short: use at least 16 characters");
        }
        Duration poll = reader.take(REPLAY_POLL_INTERVAL).map(v -> ConfigValues.duration(REPLAY_POLL_INTERVAL, v))
                .orElse(DEFAULT_REPLAY_POLL_INTERVAL);
        Duration replayTimeout = reader.take(REPLAY_TIMEOUT).map(v -> ConfigValues.duration(REPLAY_TIMEOUT, v))
                .orElse(DEFAULT_REPLAY_TIMEOUT);
        if (replayTimeout.isZero()) {
            throw new ConfigException(REPLAY_TIMEOUT, "Invalid value for " + REPLAY_TIMEOUT + ": must be positive");
        }
        boolean autoEnabled = reader.take(AUTO_REPLAY_ENABLED).map(v -> ConfigValues.bool(AUTO_REPLAY_ENABLED, v))
                .orElse(true);
        Set<GiveUpReason> reasons = reader.take(AUTO_REPLAY_REASONS).map(ParkedSettings::reasons)
                .orElse(DEFAULT_AUTO_REPLAY_REASONS);
        double rate = reader.take(AUTO_REPLAY_RATE).map(v -> ConfigValues.decimal(AUTO_REPLAY_RATE, v))
                .orElse(DEFAULT_AUTO_REPLAY_RATE);
        if (!(rate > 0)) {
            throw new ConfigException(AUTO_REPLAY_RATE, "Invalid value " + rate + " for " + AUTO_REPLAY_RATE
                    + ": messages per second, must be positive");
        }
        Duration storeRetryInitial = reader.take(STORE_RETRY_INITIAL_DELAY)
                .map(v -> ConfigValues.duration(STORE_RETRY_INITIAL_DELAY, v)).orElse(DEFAULT_STORE_RETRY_INITIAL_DELAY);
        if (storeRetryInitial.isZero()) {
            throw new ConfigException(STORE_RETRY_INITIAL_DELAY, "Invalid value for " + STORE_RETRY_INITIAL_DELAY
                    + ": must be positive");
        }
        Duration storeRetryMax = reader.take(STORE_RETRY_MAX_DELAY)
                .map(v -> ConfigValues.duration(STORE_RETRY_MAX_DELAY, v)).orElse(DEFAULT_STORE_RETRY_MAX_DELAY);
        if (storeRetryMax.compareTo(storeRetryInitial) < 0) {
            throw new ConfigException(STORE_RETRY_MAX_DELAY, "Invalid value for " + STORE_RETRY_MAX_DELAY
                    + ": must be at least " + STORE_RETRY_INITIAL_DELAY + " (" + storeRetryInitial + ")");
        }
        return new ParkedSettings(url, username, password, table, new Redactor(extra), mode, maxBody, token, poll,
                replayTimeout, autoEnabled, reasons, rate, storeRetryInitial, storeRetryMax);
    }

    private static Set<GiveUpReason> reasons(String value) {
        Set<GiveUpReason> out = EnumSet.noneOf(GiveUpReason.class);
        for (String part : value.split(",")) {
            String p = part.trim().toUpperCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            try {
                out.add(GiveUpReason.valueOf(p));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(AUTO_REPLAY_REASONS, "Invalid give-up reason '" + part.trim() + "' in "
                        + AUTO_REPLAY_REASONS + ": expected some of " + Arrays.toString(GiveUpReason.values()));
            }
        }
        return out;
    }

    public String url() {
        return url;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    public String table() {
        return table;
    }

    /** The redactor for parked headers and views: the default sensitive names plus selfheal.parked.sensitive-headers. */
    public Redactor redactor() {
        return redactor;
    }

    public SensitiveHeaderMode sensitiveHeaderMode() {
        return sensitiveHeaderMode;
    }

    /** Larger bodies are refused: the exchange fails, so its source keeps the message; nothing is ever cut. */
    public long maxBodySize() {
        return maxBodySize;
    }

    /** The bearer token of the HTTP API, or null: then the API is not served. */
    public String apiToken() {
        return apiToken;
    }

    /** How often the running jar picks up replays requested from the command line; zero turns that off. */
    public Duration replayPollInterval() {
        return replayPollInterval;
    }

    /** A replay still in flight after this long is taken as interrupted (a crash) and its record is PARKED again. */
    public Duration replayTimeout() {
        return replayTimeout;
    }

    public boolean autoReplayEnabled() {
        return autoReplayEnabled;
    }

    public Set<GiveUpReason> autoReplayReasons() {
        return autoReplayReasons;
    }

    /** Messages per second when parked messages are replayed because their upstream recovered. */
    public double autoReplayRate() {
        return autoReplayRate;
    }

    /**
     * A message that gave up while the store refused it waits for the store, its source keeping it: the first attempt
     * to park it again is this long after the refusal, each later one twice as long after the last, at most
     * {@link #storeRetryMaxDelay()}.
     */
    public Duration storeRetryInitialDelay() {
        return storeRetryInitialDelay;
    }

    public Duration storeRetryMaxDelay() {
        return storeRetryMaxDelay;
    }

    /**
     * Where the store lives, as its pool opens it. Parkings come in bursts (the exchanges waiting on one outage give up
     * at about the same time), so the pool has room for one. A database server that is down fails a connection
     * after 5 s, and parking retries it. An embedded H2 file gets 30 s: opening it through AUTO_SERVER while another
     * process holds it takes over a second, and after that process was killed H2 first waits out its stale lock file,
     * which took more than 5 s on a loaded machine (CrashSafetyTest's `parked list` right after a SIGKILL).
     */
    public JdbcSettings jdbc() {
        Duration wait = url.toLowerCase(java.util.Locale.ROOT).startsWith("jdbc:h2:file:") ? H2_FILE_POOL_WAIT : POOL_WAIT;
        return new JdbcSettings(url, username, password, POOL_SIZE, wait);
    }


    /** The URL with any password in it masked, for messages. */
    public String describeUrl() {
        return Redactor.defaults().url(url);
    }
}
