package io.selfheal.camel;

import io.selfheal.camel.cli.SelfhealCommand;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

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

    /**
     * The jar's command line ({@link SelfhealCommand}): {@code run} (the job; also what no command does),
     * {@code parked}, {@code report}, {@code help}, {@code --help}, {@code --version}.
     */
    public static void main(String[] args) {
        Selfheal.bindH2ToLoopback();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, Charset.defaultCharset()), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, Charset.defaultCharset()), true);
        System.exit(SelfhealCommand.execute(args, out, err));
    }

    /** Runs the job with camel-main's {@code args} until it ends; its exit code (1 when start-up failed). */
    public static int runJob(String[] args) {
        int code;
        Main main = null;
        try {
            main = createJar();
            code = main.run(args);
        } catch (Throwable e) {
            // start-up failed (an invalid configuration, a broken route file): say why in one line, and exit
            System.err.println("Selfheal could not start: " + startupFailure(e, main));
            code = 1;
        }
        return code;
    }

    /** Why start-up failed, in one line: a missing routes directory says what to do, not only its name. */
    static String startupFailure(Throwable e, Main main) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.nio.file.NoSuchFileException missing && main != null) {
                return StartupChecks.noRoutes(main.configure().getRoutesIncludePattern(),
                        "the directory " + missing.getFile() + " does not exist");
            }
        }
        return StartupChecks.withComponentHint(rootMessage(e));
    }

    /** The most useful message in a cause chain: a configuration error's, else the deepest one. */
    static String rootMessage(Throwable e) {
        Throwable deepest = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.selfheal.config.ConfigException) {
                return t.getMessage();
            }
            deepest = t;
        }
        return deepest.getMessage() == null ? deepest.toString() : deepest.getMessage();
    }

    /** A camel-main with Selfheal's defaults and start-up; tests use it to start the jar's configuration in-process. */
    public static Main create() throws IOException {
        Main main = new Main();
        main.setInitialProperties(JobProperties.builtInDefaults());
        main.setDefaultPropertyPlaceholderLocation(USER_PROPERTIES);
        Selfheal.install(main);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                // the routes are loaded by now and nothing has started: refuse here, before Camel starts anything
                StartupChecks.routeConfigurationsExist(m.getCamelContext());
            }
        });
        return main;
    }

    /**
     * The jar's camel-main: {@link #create()}, and it refuses to start with a port of its configuration taken or none
     * of the user's routes to run. (In-process tests start the project's configuration beside other work, so the
     * port check is the jar's.)
     */
    static Main createJar() throws IOException {
        Main main = create();
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                var server = m.configure().httpServer();
                StartupChecks.portFree(server.isEnabled(), server.getHost(), server.getPort(),
                        "camel.server.port", "camel.server.host");
                var management = m.configure().httpManagementServer();
                StartupChecks.portFree(management.isEnabled(), management.getHost(), management.getPort(),
                        "camel.management.port", "camel.management.host");
                StartupChecks.userRoutesPresent(m.getCamelContext(),
                        m.configure().getRoutesIncludePattern());
            }
        });
        return main;
    }
}
