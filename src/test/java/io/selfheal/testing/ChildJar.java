package io.selfheal.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built jar ({@code target/selfheal.jar}) run as a child process from a working directory of its own (its own
 * {@code config/} and {@code routes/}), its output written to a file. For the crash and soak runs.
 */
public final class ChildJar implements AutoCloseable {
    public static final Path JAR = Path.of("target/selfheal.jar").toAbsolutePath();

    private final Process process;
    private final Path log;

    private ChildJar(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java [jvmArgs] -jar selfheal.jar [args]} in {@code dir}; output (both streams) to {@code log}. */
    public static ChildJar start(Path dir, Path log, List<String> jvmArgs, String... args) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run mvn package (or mvn verify) first");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-jar");
        cmd.add(JAR.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ChildJar(p, log);
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no graceful stop, no flush. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the child JVM " + process.pid() + " survived SIGKILL for 30s");
        }
    }

    /** SIGTERM: camel-main's graceful shutdown; SIGKILL if it takes longer than {@code seconds}. */
    public void stop(int seconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            kill();
        }
    }

    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** The last {@code n} lines of the output, for failure messages. */
    public String tail(int n) {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
