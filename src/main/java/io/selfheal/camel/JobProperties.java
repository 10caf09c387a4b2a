package io.selfheal.camel;

import org.apache.camel.impl.DefaultCamelContext;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The properties of a job as the jar and every command of it see them, in one precedence: the built-in defaults
 * ({@value SelfhealMain#DEFAULTS_RESOURCE}), then ./config/application.properties (or the files named by
 * {@code camel.main.property-placeholder-location}), then JVM system properties.
 */
public final class JobProperties {
    /** Where camel-main, and so the jar, reads the user's properties unless told otherwise. */
    public static final String LOCATION_KEY = "camel.main.property-placeholder-location";

    private JobProperties() {
    }

    /** The built-in defaults alone: the lowest precedence. */
    public static Properties builtInDefaults() throws IOException {
        Properties p = new Properties();
        try (InputStream in = JobProperties.class.getClassLoader().getResourceAsStream(SelfhealMain.DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SelfhealMain.DEFAULTS_RESOURCE + " is missing from the jar");
            }
            p.load(in);
        }
        return p;
    }

    /** Everything a command of the jar sees: defaults, the user's files, then -D. */
    public static Properties load() throws IOException {
        Properties p = builtInDefaults();
        String location = System.getProperty(LOCATION_KEY, SelfhealMain.USER_PROPERTIES);
        for (String loc : location.split(",")) {
            String path = loc.trim().replaceFirst(";optional=true$", "").replaceFirst("^file:", "");
            Path file = Path.of(path);
            if (Files.isRegularFile(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    Properties user = new Properties();
                    user.load(in);
                    user.forEach((k, v) -> p.setProperty(String.valueOf(k).trim(), String.valueOf(v).trim()));
                }
            }
        }
        System.getProperties().forEach((k, v) -> {
            String key = String.valueOf(k);
            if (key.startsWith("selfheal.") || key.startsWith("camel.")) {
                p.setProperty(key, String.valueOf(v));
            }
        });
        return p;
    }

    /** The {@code selfheal.*} keys of {@link #load()}, placeholders such as {{env:X}} resolved as the jar does. */
    public static Map<String, String> selfheal() throws IOException {
        // a context that is never started, only to resolve placeholders
        DefaultCamelContext ctx = new DefaultCamelContext();
        ctx.getPropertiesComponent().setOverrideProperties(load());
        return Selfheal.selfhealProperties(ctx);
    }
}
