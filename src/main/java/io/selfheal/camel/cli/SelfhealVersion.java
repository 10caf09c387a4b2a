package io.selfheal.camel.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code --version}: the project version the build wrote into {@value #RESOURCE}. */
final class SelfhealVersion implements IVersionProvider {
    static final String RESOURCE = "/io/selfheal/version.properties";

    @Override
    public String[] getVersion() throws IOException {
        return new String[] {"Selfheal " + version()};
    }

    static String version() throws IOException {
        try (InputStream in = SelfhealVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "(unknown: " + RESOURCE + " is missing)";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "(unknown: no version in " + RESOURCE + ")");
        }
    }
}
