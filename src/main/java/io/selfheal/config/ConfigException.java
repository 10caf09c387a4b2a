package io.selfheal.config;

/** An invalid Selfheal configuration value; the message always names the key, so start-up can say what to fix. */
public class ConfigException extends IllegalArgumentException {
    private final String key;

    public ConfigException(String key, String message) {
        super(message.contains(key) ? message : key + ": " + message);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
