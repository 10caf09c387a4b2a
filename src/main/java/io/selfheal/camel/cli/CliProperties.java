package io.selfheal.camel.cli;

import io.selfheal.camel.SelfhealMain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The properties a command-line tool of the jar sees, in the jar's own precedence: built-in defaults, then
 * ./config/application.properties (or the file named by camel.main.property-placeholder-location), then JVM system
 * properties.
 */
final class CliProperties {
    private CliProperties() {
    }

    static Properties load() throws IOException {
        Properties p = new Properties();
        try (InputStream in = CliProperties.class.getClassLoader().getResourceAsStream(SelfhealMain.DEFAULTS_RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        }
        String location = System.getProperty("camel.main.property-placeholder-location", "file:config/application.properties");
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
}
