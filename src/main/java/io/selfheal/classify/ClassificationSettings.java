package io.selfheal.classify;

import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigReader;
import io.selfheal.config.ConfigValues;

import java.util.function.BiConsumer;

/**
 * The {@code selfheal.classify.*} section: the user's classification rules (by HTTP status, SQLSTATE, vendor code and
 * exception class) and the class of a failure no rule matches. Immutable; validated once, when read.
 */
public record ClassificationSettings(ClassificationRules rules, FailureClass defaultClass) {
    public static final String PREFIX = "selfheal.classify.";
    public static final String DEFAULT = PREFIX + "default";
    public static final FailureClass DEFAULT_CLASS = FailureClass.PERMANENT;

    /** Takes every selfheal.classify.* key from {@code reader}; an invalid key or value names the key. */
    public static ClassificationSettings read(ConfigReader reader) {
        ClassificationRules.Builder rules = ClassificationRules.builder();
        rulesUnder(reader, "http", "<status>", (k, v) -> {
            int status = ConfigValues.integer(k, k.substring((PREFIX + "http.").length()));
            if (status < 100 || status > 599) {
                throw new ConfigException(k, "Invalid HTTP status in key " + k + ": must be between 100 and 599");
            }
            rules.http(status, FailureClass.parse(k, v));
        });
        rulesUnder(reader, "sqlstate", "<code-or-class>", (k, v) -> {
            String code = k.substring((PREFIX + "sqlstate.").length());
            if (!code.matches("[0-9A-Za-z]{1,5}")) {
                throw new ConfigException(k, "Invalid SQLSTATE in key " + k + ": expected 1 to 5 letters or digits");
            }
            rules.sqlState(code, FailureClass.parse(k, v));
        });
        rulesUnder(reader, "vendor-code", "<code>", (k, v) -> {
            int code = ConfigValues.integer(k, k.substring((PREFIX + "vendor-code.").length()));
            rules.vendorCode(code, FailureClass.parse(k, v));
        });
        rulesUnder(reader, "exception", "<fully.qualified.ClassName>", (k, v) -> {
            String name = k.substring((PREFIX + "exception.").length());
            try {
                rules.exception(name, FailureClass.parse(k, v));
            } catch (ConfigException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new ConfigException(k, "Invalid key " + k + ": " + e.getMessage());
            }
        });
        FailureClass defaultClass = reader.read(DEFAULT, FailureClass::parse, DEFAULT_CLASS);
        return new ClassificationSettings(rules.build(), defaultClass);
    }

    private static void rulesUnder(ConfigReader reader, String kind, String shape, BiConsumer<String, String> rule) {
        String prefix = PREFIX + kind + ".";
        reader.takeUnder(prefix, prefix + shape).forEach(rule);
    }
}
