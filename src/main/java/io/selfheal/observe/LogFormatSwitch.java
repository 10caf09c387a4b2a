package io.selfheal.observe;

import java.net.URISyntaxException;
import java.net.URL;

/** Switches Log4j 2 to the JSON layout shipped in the jar ({@code selfheal.log.format=json}). */
public final class LogFormatSwitch {
    static final String JSON_CONFIG = "/log4j2-json.properties";

    private LogFormatSwitch() {
    }

    /** @return false when Log4j 2 is not the logging backend (the switch then does nothing) */
    public static boolean useJson() {
        URL config = LogFormatSwitch.class.getResource(JSON_CONFIG);
        if (config == null) {
            return false;
        }
        try {
            Class.forName("org.apache.logging.log4j.core.config.Configurator");
            org.apache.logging.log4j.core.config.Configurator.reconfigure(config.toURI());
            return true;
        } catch (ClassNotFoundException | URISyntaxException e) {
            return false;
        }
    }
}
