package io.selfheal.camel;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
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
 * One class loader over the jar's class path and then the lib jars, with the platform loader as its parent, and
 * SelfhealMain loaded through it: exactly the flat class path {@code selfheal.jar:lib/*}. Not child-first and not a
 * loader per plugin: Camel finds components through the context class loader and a component shares Camel's and
 * Jackson's classes with the jar, so a second copy of those would break it; the jar's classes win over a duplicate.
 * Without lib jars nothing changes: SelfhealMain runs in the application class loader as before.
 */
public final class Launcher {
    public static final String PROPERTY = "selfheal.lib";
    public static final String ENV = "SELFHEAL_LIB";
    static final String DEFAULT_FOLDER = "lib";

    /** What this process added (set in the copy of this class SelfhealMain runs with), until logged. */
    private static String added;

    private Launcher() {
    }

    public static void main(String[] args) throws Throwable {
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
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        for (Path jar : jars) {
            urls.add(jar.toUri().toURL());
        }
        ClassLoader loader = new URLClassLoader("selfheal", urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        // file names only: the log says what was added, not where the machine keeps it
        String names = jars.size() + " jar(s) from the lib folder: "
                + String.join(", ", jars.stream().map(j -> j.getFileName().toString()).toList());
        try {
            Class.forName(Launcher.class.getName(), true, loader).getMethod("added", String.class).invoke(null, names);
            Class.forName(SelfhealMain.class.getName(), true, loader).getMethod("main", String[].class)
                    .invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            // SelfhealMain's own failure, as it would be without the lib folder
            throw e.getCause();
        }
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

    /** Called by the launching copy of this class on the copy SelfhealMain runs with. */
    public static synchronized void added(String what) {
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
