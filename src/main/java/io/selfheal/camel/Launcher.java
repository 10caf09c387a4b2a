package io.selfheal.camel;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The jar's Main-Class: puts the jars of the lib folder ({@value #DEFAULT_FOLDER} in the working directory,
 * {@code -D}{@value #PROPERTY} or {@value #ENV} to name another) on the class path, then runs {@link SelfhealMain}.
 * This is how a job adds a Camel component the jar does not ship (Kafka, JMS, SFTP, ...) without a build of its own.
 * <p>
 * The lib jars get one class loader whose parent is the application class loader, and it is the thread's context class
 * loader, through which Camel finds components, data formats and languages ({@code META-INF/services/org/apache/camel})
 * and its context plugins. Parent first: Camel's, Jackson's and Selfheal's classes come from the jar, once, and a copy
 * of them in lib/ is never loaded; a component in lib/ sees the jar's Camel. (A loader over the jar and lib/ with the
 * platform loader as parent would load the jar's classes a second time, and Camel's ServiceLoader lookups, which fall
 * back to the application class loader, would then find a Selfheal plugin that is "not a subtype" of its interface.)
 * Without lib jars nothing changes.
 */
public final class Launcher {
    public static final String PROPERTY = "selfheal.lib";
    public static final String ENV = "SELFHEAL_LIB";
    static final String DEFAULT_FOLDER = "lib";

    /** What this process added, until logged. */
    private static String added;

    private Launcher() {
    }

    public static void main(String[] args) throws IOException {
        List<Path> jars;
        try {
            jars = jars(folder(System.getProperty(PROPERTY), System.getenv(), Path.of("")));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("Selfheal could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (jars.isEmpty()) {
            SelfhealMain.main(args);
            return;
        }
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            urls.add(jar.toUri().toURL());
        }
        // parent first: Camel, Jackson and Selfheal come from the jar, once; only what the jar lacks from lib/
        ClassLoader loader = new URLClassLoader("selfheal-lib", urls.toArray(URL[]::new),
                ClassLoader.getSystemClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        // file names only: the log says what was added, not where the machine keeps it
        added(jars.size() + " jar(s) from the lib folder: "
                + String.join(", ", jars.stream().map(j -> j.getFileName().toString()).toList()));
        SelfhealMain.main(args);
    }

    /**
     * The lib folder: the system property, else the environment variable, else {@value #DEFAULT_FOLDER}; a relative
     * one is in {@code workingDirectory}. A folder named explicitly must exist; the default one need not.
     *
     * @return the folder, or null when the default one is missing (no lib jars)
     * @throws IllegalArgumentException a named folder that does not exist or is not a folder, in one line
     */
    static Path folder(String property, Map<String, String> env, Path workingDirectory) {
        String named = named(property, env);
        if (named == null) {
            Path standard = workingDirectory.resolve(DEFAULT_FOLDER);
            return Files.isDirectory(standard) ? standard : null;
        }
        String key = property != null && !property.isBlank() ? "-D" + PROPERTY : ENV;
        Path folder = workingDirectory.resolve(named);
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("the lib folder " + folder.toAbsolutePath() + " (set by " + key + ") "
                    + (Files.exists(folder) ? "is not a folder" : "does not exist")
                    + ": create it and put the components' jars in it, or unset " + key + " to use ./lib");
        }
        return folder;
    }

    /** The {@code *.jar} files directly in {@code folder}, sorted by file name; none when folder is null. */
    static List<Path> jars(Path folder) throws IOException {
        if (folder == null) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar"))
                    .filter(Files::isRegularFile)
                    .sorted(Comparator.comparing(f -> f.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new IOException("cannot list the lib folder " + folder.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** What this process added, to be logged once the log format is chosen. */
    static synchronized void added(String what) {
        added = what;
    }

    /**
     * Logs the lib jars this process added, once, by file name. Called when Selfheal is installed, so the line comes
     * in the log format the configuration chose; in-process tests, which add none, log nothing.
     */
    static synchronized void logAdded() {
        if (added != null) {
            org.slf4j.LoggerFactory.getLogger(Launcher.class).info("Added {}", added);
            added = null;
        }
    }

    /** How the hint for a missing component names the lib folder: as set, else ./lib. */
    static String folderName(String property, Map<String, String> env) {
        String named = named(property, env);
        return named == null ? "./" + DEFAULT_FOLDER : named;
    }

    private static String named(String property, Map<String, String> env) {
        String named = property != null && !property.isBlank() ? property : env.get(ENV);
        return named == null || named.isBlank() ? null : named.trim();
    }
}
