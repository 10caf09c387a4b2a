package io.selfheal.config;

import io.selfheal.breaker.BreakerConfig;
import io.selfheal.breaker.BudgetConfig;
import io.selfheal.classify.ClassificationRules;
import io.selfheal.classify.FailureClass;
import io.selfheal.idempotency.IdempotencyConfig;
import io.selfheal.escalation.AlertConfig;
import io.selfheal.escalation.ParkedConfig;
import io.selfheal.retry.RetryPolicy;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Consumer;

/**
 * Every {@code selfheal.*} setting, parsed and validated once at start-up. An invalid value or an unknown key throws
 * a {@link ConfigException} naming the key. Immutable.
 */
public final class SelfhealConfig {
    public static final String DEFAULTS = "selfheal.defaults.";
    public static final String UPSTREAM = "selfheal.upstream.";
    public static final String CLASSIFY = "selfheal.classify.";

    private static final List<String> RETRY_KEYS = List.of(RetryPolicy.MAX_ATTEMPTS, RetryPolicy.MAX_DURATION,
            RetryPolicy.INITIAL_DELAY, RetryPolicy.MULTIPLIER, RetryPolicy.MAX_DELAY, RetryPolicy.JITTER,
            RetryPolicy.RECOVERABLE_INITIAL_DELAY, RetryPolicy.RETRY_AFTER_MAX);

    private final RetryPolicy defaults;
    private final Map<String, RetryPolicy> upstreams;
    private final ClassificationRules classificationRules;
    private final FailureClass defaultClass;
    private final LogFormat logFormat;
    private final IdempotencyConfig idempotency;
    private final AlertConfig alert;
    private final ParkedConfig parked;
    private final BreakerConfig breakers;
    private final BudgetConfig budgets;

    /** How log lines are written: readable text (default) or one JSON object per line for log shippers. */
    public enum LogFormat { TEXT, JSON }

    private SelfhealConfig(RetryPolicy defaults, Map<String, RetryPolicy> upstreams, ClassificationRules rules,
                           FailureClass defaultClass, LogFormat logFormat, IdempotencyConfig idempotency,
                           AlertConfig alert, ParkedConfig parked, BreakerConfig breakers, BudgetConfig budgets) {
        this.alert = alert;
        this.parked = parked;
        this.defaults = defaults;
        this.upstreams = Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
        this.classificationRules = rules;
        this.defaultClass = defaultClass;
        this.logFormat = logFormat;
        this.idempotency = idempotency;
        this.breakers = breakers;
        this.budgets = budgets;
    }

    public static SelfhealConfig defaults() {
        return load(Map.of());
    }

    /** Parses every selfheal.* key of {@code properties} (other keys are ignored). */
    public static SelfhealConfig load(Map<String, String> properties) {
        return load(new ConfigReader(properties));
    }

    /**
     * Every key Selfheal understands, as the sections register them while parsing an empty configuration (so a
     * section must take or remember each of its keys even when it is absent, as {@link ConfigReader#take} does);
     * {@code <name>}-style segments are chosen by the user ("selfheal.upstream.&lt;name&gt;.max-attempts"). The
     * configuration tests enumerate this, so a key added to a section cannot go untested unnoticed.
     */
    public static SortedSet<String> knownKeys() {
        ConfigReader reader = new ConfigReader(Map.of());
        load(reader);
        return reader.knownShapes();
    }

    private static SelfhealConfig load(ConfigReader reader) {
        RetryPolicy defaults = retryPolicy(reader, DEFAULTS, RetryPolicy.builder(DEFAULTS));
        Map<String, RetryPolicy> upstreams = new LinkedHashMap<>();
        Map<String, Map<String, String>> byUpstream = new LinkedHashMap<>();
        for (String key : reader.keysUnder(UPSTREAM)) {
            String rest = key.substring(UPSTREAM.length());
            for (String suffix : RETRY_KEYS) {
                if (rest.endsWith("." + suffix) && rest.length() > suffix.length() + 1) {
                    String name = rest.substring(0, rest.length() - suffix.length() - 1);
                    byUpstream.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(suffix, key);
                }
            }
        }
        for (String suffix : RETRY_KEYS) {
            reader.remember(UPSTREAM + "<name>." + suffix);
        }
        byUpstream.forEach((name, keys) -> {
            String prefix = UPSTREAM + name + ".";
            upstreams.put(name, retryPolicy(reader, prefix, defaults.toBuilder(prefix)));
        });

        ClassificationRules.Builder rules = ClassificationRules.builder();
        classifyMap(reader, "http", "<status>", (k, v) -> {
            int status = ConfigValues.integer(k, k.substring((CLASSIFY + "http.").length()));
            if (status < 100 || status > 599) {
                throw new ConfigException(k, "Invalid HTTP status in key " + k + ": must be between 100 and 599");
            }
            rules.http(status, FailureClass.parse(k, v));
        });
        classifyMap(reader, "sqlstate", "<code-or-class>", (k, v) -> {
            String code = k.substring((CLASSIFY + "sqlstate.").length());
            if (!code.matches("[0-9A-Za-z]{1,5}")) {
                throw new ConfigException(k, "Invalid SQLSTATE in key " + k + ": expected 1 to 5 letters or digits");
            }
            rules.sqlState(code, FailureClass.parse(k, v));
        });
        classifyMap(reader, "vendor-code", "<code>", (k, v) -> {
            int code = ConfigValues.integer(k, k.substring((CLASSIFY + "vendor-code.").length()));
            rules.vendorCode(code, FailureClass.parse(k, v));
        });
        classifyMap(reader, "exception", "<fully.qualified.ClassName>", (k, v) -> {
            String name = k.substring((CLASSIFY + "exception.").length());
            try {
                rules.exception(name, FailureClass.parse(k, v));
            } catch (ConfigException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new ConfigException(k, "Invalid key " + k + ": " + e.getMessage());
            }
        });
        FailureClass defaultClass = reader.take(CLASSIFY + "default")
                .map(v -> FailureClass.parse(CLASSIFY + "default", v)).orElse(FailureClass.PERMANENT);

        LogFormat logFormat = reader.take("selfheal.log.format").map(v -> switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "text" -> LogFormat.TEXT;
            case "json" -> LogFormat.JSON;
            default -> throw new ConfigException("selfheal.log.format",
                    "Invalid value '" + v + "' for selfheal.log.format: expected text or json");
        }).orElse(LogFormat.TEXT);

        IdempotencyConfig idempotency = IdempotencyConfig.parse(reader);

        AlertConfig alert = AlertConfig.read(reader);
        ParkedConfig parked = ParkedConfig.read(reader);

        BreakerConfig breakers = BreakerConfig.read(reader);
        BudgetConfig budgets = BudgetConfig.read(reader);

        reader.rejectUnknown();
        return new SelfhealConfig(defaults, upstreams, rules.build(), defaultClass, logFormat, idempotency, alert, parked,
                breakers, budgets);
    }

    private static void classifyMap(ConfigReader reader, String kind, String shape, EntryParser parser) {
        String prefix = CLASSIFY + kind + ".";
        reader.takeUnder(prefix, prefix + shape).forEach((k, v) -> parser.parse(k, v));
    }

    private interface EntryParser {
        void parse(String key, String value);
    }

    private static RetryPolicy retryPolicy(ConfigReader reader, String prefix, RetryPolicy.Builder b) {
        set(reader, prefix + RetryPolicy.MAX_ATTEMPTS, v -> b.maxAttempts(ConfigValues.integer(prefix + RetryPolicy.MAX_ATTEMPTS, v)));
        set(reader, prefix + RetryPolicy.MAX_DURATION, v -> b.maxDuration(duration(prefix + RetryPolicy.MAX_DURATION, v)));
        set(reader, prefix + RetryPolicy.INITIAL_DELAY, v -> b.initialDelay(duration(prefix + RetryPolicy.INITIAL_DELAY, v)));
        set(reader, prefix + RetryPolicy.MULTIPLIER, v -> b.multiplier(ConfigValues.decimal(prefix + RetryPolicy.MULTIPLIER, v)));
        set(reader, prefix + RetryPolicy.MAX_DELAY, v -> b.maxDelay(duration(prefix + RetryPolicy.MAX_DELAY, v)));
        set(reader, prefix + RetryPolicy.JITTER, v -> b.jitter(ConfigValues.decimal(prefix + RetryPolicy.JITTER, v)));
        set(reader, prefix + RetryPolicy.RECOVERABLE_INITIAL_DELAY,
                v -> b.recoverableInitialDelay(duration(prefix + RetryPolicy.RECOVERABLE_INITIAL_DELAY, v)));
        set(reader, prefix + RetryPolicy.RETRY_AFTER_MAX, v -> b.retryAfterMax(duration(prefix + RetryPolicy.RETRY_AFTER_MAX, v)));
        return b.build();
    }

    private static Duration duration(String key, String value) {
        return ConfigValues.duration(key, value);
    }

    private static void set(ConfigReader reader, String key, Consumer<String> setter) {
        reader.take(key).ifPresent(setter);
    }

    public RetryPolicy defaultPolicy() {
        return defaults;
    }

    /** The policy for an upstream: its own overrides on top of the defaults, or the defaults. */
    public RetryPolicy policyFor(String upstream) {
        if (upstream == null) {
            return defaults;
        }
        return Optional.ofNullable(upstreams.get(upstream)).orElse(defaults);
    }

    public Map<String, RetryPolicy> upstreamPolicies() {
        return upstreams;
    }

    public ClassificationRules classificationRules() {
        return classificationRules;
    }

    public FailureClass defaultClass() {
        return defaultClass;
    }

    public LogFormat logFormat() {
        return logFormat;
    }

    /** Where idempotent-consumer keys live ({@code selfheal.idempotency.*}). */
    public IdempotencyConfig idempotency() {
        return idempotency;
    }

    /** The selfheal.alert.* section. */
    public AlertConfig alert() {
        return alert;
    }

    /** The selfheal.parked.* section. */
    public ParkedConfig parked() {
        return parked;
    }

    /** The selfheal.breaker.* section: per-upstream circuit breaker settings. */
    public BreakerConfig breakers() {
        return breakers;
    }

    /** The selfheal.budget.* section: per-upstream retry budgets. */
    public BudgetConfig budgets() {
        return budgets;
    }
}
