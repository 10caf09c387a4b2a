package io.selfheal.escalation;

import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigReader;
import io.selfheal.config.ConfigValues;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code selfheal.alert.*} section: which sinks receive give-up alerts, how they are grouped, and how hard a
 * sink is retried. Immutable; validated once at start-up, every error names its key.
 */
public final class AlertConfig {
    public static final String PREFIX = "selfheal.alert.";
    public static final String SINKS = PREFIX + "sinks";
    public static final String GROUP_WINDOW = PREFIX + "group-window";
    public static final String QUEUE_CAPACITY = PREFIX + "queue-capacity";
    public static final String TIMEOUT = PREFIX + "timeout";
    public static final String RETRY_MAX_ATTEMPTS = PREFIX + "retry.max-attempts";
    public static final String RETRY_DELAY = PREFIX + "retry.delay";
    public static final String WEBHOOK_URL = PREFIX + "webhook.url";
    public static final String WEBHOOK_HEADER = PREFIX + "webhook.header.";
    public static final String ALERTMANAGER_URL = PREFIX + "alertmanager.url";
    public static final String ALERTMANAGER_LABEL = PREFIX + "alertmanager.label.";

    public static final Set<String> SINK_NAMES = Set.of("log", "webhook", "alertmanager");
    public static final List<String> DEFAULT_SINKS = List.of("log");
    public static final Duration DEFAULT_GROUP_WINDOW = Duration.ofMinutes(5);
    public static final int DEFAULT_QUEUE_CAPACITY = 1000;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_RETRY_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(1);

    private final List<String> sinks;
    private final Duration groupWindow;
    private final int queueCapacity;
    private final Duration timeout;
    private final int retryMaxAttempts;
    private final Duration retryDelay;
    private final URI webhookUrl;
    private final Map<String, String> webhookHeaders;
    private final URI alertmanagerUrl;
    private final Map<String, String> alertmanagerLabels;

    private AlertConfig(List<String> sinks, Duration groupWindow, int queueCapacity, Duration timeout,
                        int retryMaxAttempts, Duration retryDelay, URI webhookUrl, Map<String, String> webhookHeaders,
                        URI alertmanagerUrl, Map<String, String> alertmanagerLabels) {
        this.sinks = List.copyOf(sinks);
        this.groupWindow = groupWindow;
        this.queueCapacity = queueCapacity;
        this.timeout = timeout;
        this.retryMaxAttempts = retryMaxAttempts;
        this.retryDelay = retryDelay;
        this.webhookUrl = webhookUrl;
        this.webhookHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(webhookHeaders));
        this.alertmanagerUrl = alertmanagerUrl;
        this.alertmanagerLabels = Collections.unmodifiableMap(new LinkedHashMap<>(alertmanagerLabels));
    }

    public static AlertConfig defaults() {
        return new AlertConfig(DEFAULT_SINKS, DEFAULT_GROUP_WINDOW, DEFAULT_QUEUE_CAPACITY, DEFAULT_TIMEOUT,
                DEFAULT_RETRY_MAX_ATTEMPTS, DEFAULT_RETRY_DELAY, null, Map.of(), null, Map.of());
    }

    /** Takes every selfheal.alert.* key from the reader. */
    public static AlertConfig read(ConfigReader reader) {
        List<String> sinks = reader.take(SINKS).map(v -> sinkList(SINKS, v)).orElse(DEFAULT_SINKS);
        Duration groupWindow = reader.take(GROUP_WINDOW).map(v -> ConfigValues.duration(GROUP_WINDOW, v))
                .orElse(DEFAULT_GROUP_WINDOW);
        int queueCapacity = reader.take(QUEUE_CAPACITY).map(v -> atLeast(QUEUE_CAPACITY, v, 1))
                .orElse(DEFAULT_QUEUE_CAPACITY);
        Duration timeout = reader.take(TIMEOUT).map(v -> positive(TIMEOUT, v)).orElse(DEFAULT_TIMEOUT);
        int retryMax = reader.take(RETRY_MAX_ATTEMPTS).map(v -> atLeast(RETRY_MAX_ATTEMPTS, v, 1))
                .orElse(DEFAULT_RETRY_MAX_ATTEMPTS);
        Duration retryDelay = reader.take(RETRY_DELAY).map(v -> ConfigValues.duration(RETRY_DELAY, v))
                .orElse(DEFAULT_RETRY_DELAY);
        URI webhook = reader.take(WEBHOOK_URL).filter(v -> !v.isBlank()).map(v -> httpUrl(WEBHOOK_URL, v)).orElse(null);
        Map<String, String> headers = new LinkedHashMap<>();
        reader.takeUnder(WEBHOOK_HEADER, WEBHOOK_HEADER + "<name>")
                .forEach((k, v) -> headers.put(k.substring(WEBHOOK_HEADER.length()), v));
        URI alertmanager = reader.take(ALERTMANAGER_URL).filter(v -> !v.isBlank())
                .map(v -> httpUrl(ALERTMANAGER_URL, v)).orElse(null);
        Map<String, String> labels = new LinkedHashMap<>();
        reader.takeUnder(ALERTMANAGER_LABEL, ALERTMANAGER_LABEL + "<name>").forEach((k, v) -> {
            String name = k.substring(ALERTMANAGER_LABEL.length());
            if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                throw new ConfigException(k, "Invalid label name in key " + k
                        + ": Alertmanager label names are letters, digits and underscores");
            }
            labels.put(name, v);
        });
        if (sinks.contains("webhook") && webhook == null) {
            throw new ConfigException(WEBHOOK_URL, WEBHOOK_URL + " is required when " + SINKS + " names webhook");
        }
        if (sinks.contains("alertmanager") && alertmanager == null) {
            throw new ConfigException(ALERTMANAGER_URL, ALERTMANAGER_URL + " is required when " + SINKS
                    + " names alertmanager");
        }
        return new AlertConfig(sinks, groupWindow, queueCapacity, timeout, retryMax, retryDelay, webhook, headers,
                alertmanager, labels);
    }

    private static List<String> sinkList(String key, String value) {
        Set<String> out = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            String s = part.trim().toLowerCase(Locale.ROOT);
            if (s.isEmpty()) {
                continue;
            }
            if (!SINK_NAMES.contains(s)) {
                throw new ConfigException(key, "Invalid alert sink '" + part.trim() + "' in " + key
                        + ": expected a comma-separated list of log, webhook, alertmanager");
            }
            out.add(s);
        }
        return new ArrayList<>(out);
    }

    private static int atLeast(String key, String value, int min) {
        int n = ConfigValues.integer(key, value);
        if (n < min) {
            throw new ConfigException(key, "Invalid value " + n + " for " + key + ": must be at least " + min);
        }
        return n;
    }

    private static Duration positive(String key, String value) {
        Duration d = ConfigValues.duration(key, value);
        if (d.isZero()) {
            throw new ConfigException(key, "Invalid value '" + value + "' for " + key + ": must be positive");
        }
        return d;
    }

    private static URI httpUrl(String key, String value) {
        try {
            URI u = URI.create(value.trim());
            if (u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https"))
                    || u.getHost() == null) {
                throw new IllegalArgumentException("not an absolute http(s) URL");
            }
            return u;
        } catch (IllegalArgumentException e) {
            // the URL may hold a secret (a Slack webhook path): do not echo it
            throw new ConfigException(key, "Invalid URL for " + key + ": expected an absolute http:// or https:// URL");
        }
    }

    /** Sink names in order: log, webhook, alertmanager; an empty list sends nowhere. */
    public List<String> sinks() {
        return sinks;
    }

    /** Give-ups with the same upstream, class and reason within this window make one alert; zero alerts each one. */
    public Duration groupWindow() {
        return groupWindow;
    }

    /** Alerts waiting per sink; when full, new alerts for that sink are dropped and logged. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** Connect and response timeout of one send. */
    public Duration timeout() {
        return timeout;
    }

    public int retryMaxAttempts() {
        return retryMaxAttempts;
    }

    /** Delay before the second send; it doubles for each further one. */
    public Duration retryDelay() {
        return retryDelay;
    }

    public URI webhookUrl() {
        return webhookUrl;
    }

    public Map<String, String> webhookHeaders() {
        return webhookHeaders;
    }

    public URI alertmanagerUrl() {
        return alertmanagerUrl;
    }

    public Map<String, String> alertmanagerLabels() {
        return alertmanagerLabels;
    }
}
