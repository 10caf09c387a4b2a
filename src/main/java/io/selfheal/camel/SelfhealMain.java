package io.selfheal.camel;

import io.selfheal.camel.cli.SelfhealCommand;

import org.apache.camel.CamelContext;
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
            if (((JobMain) main).refusedArguments(args)) {
                // camel-main printed "Unknown option" and its option list, and would have exited 0
                System.err.println("Selfheal could not start: camel-main does not know an argument of "
                        + java.util.Arrays.toString(args) + " (java -jar selfheal.jar run -- -help lists its options)");
                code = 2;
            }
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

    /**
     * camel-main as the jar runs it. camel-main answers an argument it does not know by printing its options and
     * ending with exit code 0; the jar makes that bad usage (exit 2), as an unknown command is.
     */
    static final class JobMain extends Main {
        private volatile boolean optionsShown;

        /**
         * The context finds its plugins (ServiceLoader) through its application class loader, which is the system one
         * when unset: under the {@link Launcher}, whose class loader holds the jar and the lib folder, that would load
         * a second copy of a plugin's classes. The thread's loader is the one everything here came from.
         */
        @Override
        protected CamelContext createCamelContext() {
            CamelContext context = super.createCamelContext();
            context.setApplicationContextClassLoader(Thread.currentThread().getContextClassLoader());
            return context;
        }

        @Override
        public void showOptions() {
            optionsShown = true;
            super.showOptions();
        }

        /** True when camel-main showed its options for an argument it did not know, not because help was asked. */
        boolean refusedArguments(String[] args) {
            boolean helpAsked = java.util.Arrays.stream(args).anyMatch(a -> a.equals("-h") || a.equals("-help"));
            return optionsShown && !helpAsked;
        }
    }

    /** A camel-main with Selfheal's defaults and start-up; tests use it to start the jar's configuration in-process. */
    public static Main create() throws IOException {
        Main main = new JobMain();
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
