package io.selfheal.camel;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The jar's entry point. Loads the built-in defaults ({@value #DEFAULTS_RESOURCE}, lowest precedence), then
 * {@code ./config/application.properties} if present, and the YAML routes in {@code ./routes/}; both locations are
 * ordinary camel-main settings ({@code camel.main.property-placeholder-location},
 * {@code camel.main.routes-include-pattern}).
 */
public final class SelfhealMain {
    public static final String DEFAULTS_RESOURCE = "selfheal-defaults.properties";
    public static final String USER_PROPERTIES = "file:config/application.properties;optional=true";

    private SelfhealMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("parked")) {
            // the parked-message command line: acts on the configured store, starts no routes
            System.exit(ParkedCli.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        Main main = create();
        int code = main.run(args);
        System.exit(code);
    }

    /** A camel-main with Selfheal's defaults and start-up; tests use it to start the jar's configuration in-process. */
    public static Main create() throws IOException {
        Main main = new Main(SelfhealMain.class);
        main.setInitialProperties(builtInDefaults());
        main.setDefaultPropertyPlaceholderLocation(USER_PROPERTIES);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport m) {
                try {
                    Selfheal.install(m.getCamelContext());
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
        });
        return main;
    }

    static Properties builtInDefaults() throws IOException {
        Properties p = new Properties();
        try (InputStream in = SelfhealMain.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the jar");
            }
            p.load(in);
        }
        return p;
    }
}
