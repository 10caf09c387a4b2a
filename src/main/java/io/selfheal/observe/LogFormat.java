package io.selfheal.observe;

import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigReader;

import java.util.Locale;

/** How log lines are written: readable text (default) or one JSON object per line for log shippers. */
public enum LogFormat {
    TEXT, JSON;

    public static final String KEY = "selfheal.log.format";

    /** Takes selfheal.log.format from {@code reader}. */
    public static LogFormat read(ConfigReader reader) {
        return reader.read(KEY, (key, v) -> switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new ConfigException(key, "Invalid value '" + v + "' for " + key + ": expected text or json");
        }, TEXT);
    }
}
