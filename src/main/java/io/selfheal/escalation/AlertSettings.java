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
 *
 * @param sinks              sink names in order: log, webhook, alertmanager; an empty list sends nowhere
 * @param groupWindow        give-ups with the same upstream, class and reason within this window make one alert; zero
 *                           alerts each one
 * @param queueCapacity      alerts waiting per sink; when full, new alerts for that sink are dropped and logged
 * @param timeout            connect and response timeout of one send
 * @param retryMaxAttempts   sends of one alert to one sink, the first included
 * @param retryDelay         delay before the second send; it doubles for each further one
 * @param webhookUrl         where the webhook sink posts (may hold a secret), or null
 * @param webhookHeaders     headers the webhook sink sends (may hold credentials)
 * @param alertmanagerUrl    the Alertmanager the alertmanager sink posts to, or null
 * @param alertmanagerLabels extra static labels of every alert sent to Alertmanager
 */
public record AlertSettings(List<String> sinks, Duration groupWindow, int queueCapacity, Duration timeout,
                          int retryMaxAttempts, Duration retryDelay, URI webhookUrl, Map<String, String> webhookHeaders,
                          URI alertmanagerUrl, Map<String, String> alertmanagerLabels) {
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

    public AlertSettings {
        sinks = List.copyOf(sinks);
        webhookHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(webhookHeaders));
        alertmanagerLabels = Collections.unmodifiableMap(new LinkedHashMap<>(alertmanagerLabels));
    }

    public static AlertSettings defaults() {
        return new AlertSettings(DEFAULT_SINKS, DEFAULT_GROUP_WINDOW, DEFAULT_QUEUE_CAPACITY, DEFAULT_TIMEOUT,
                DEFAULT_RETRY_MAX_ATTEMPTS, DEFAULT_RETRY_DELAY, null, Map.of(), null, Map.of());
    }

    /** Takes every selfheal.alert.* key from the reader. */
    public static AlertSettings read(ConfigReader reader) {
        List<String> sinks = reader.take(SINKS).map(v -> sinkList(SINKS, v)).orElse(DEFAULT_SINKS);
        Duration groupWindow = reader.read(GROUP_WINDOW, ConfigValues::duration, DEFAULT_GROUP_WINDOW);
        int queueCapacity = reader.read(QUEUE_CAPACITY, AlertSettings::positiveCount, DEFAULT_QUEUE_CAPACITY);
        Duration timeout = reader.read(TIMEOUT, AlertSettings::positive, DEFAULT_TIMEOUT);
        int retryMax = reader.read(RETRY_MAX_ATTEMPTS, AlertSettings::positiveCount, DEFAULT_RETRY_MAX_ATTEMPTS);
        Duration retryDelay = reader.read(RETRY_DELAY, ConfigValues::duration, DEFAULT_RETRY_DELAY);
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
        return new AlertSettings(sinks, groupWindow, queueCapacity, timeout, retryMax, retryDelay, webhook, headers,
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

    private static int positiveCount(String key, String value) {
        int n = ConfigValues.integer(key, value);
        if (n < 1) {
            throw new ConfigException(key, "Invalid value " + n + " for " + key + ": must be at least 1");
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

    /** Without the URLs and headers, which may hold secrets (a Slack webhook path, an Authorization header). */
    @Override
    public String toString() {
        return "AlertSettings[sinks=" + sinks + ", groupWindow=" + groupWindow + ", queueCapacity=" + queueCapacity
                + ", timeout=" + timeout + ", retryMaxAttempts=" + retryMaxAttempts + ", retryDelay=" + retryDelay
                + ", alertmanagerLabels=" + alertmanagerLabels.keySet() + "]";
    }
}
