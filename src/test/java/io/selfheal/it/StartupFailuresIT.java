package io.selfheal.it;

import io.selfheal.camel.Selfheal;
import io.selfheal.testing.ChildJar;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built jar refuses to start, with a non-zero exit and one line that says what is wrong and what to do, where it
 * used to run in a way nobody asked for: a mistyped routeConfigurationId (the route ran without self-healing), a port
 * another process holds (the jar logged a BindException, ran the demo against whoever held the port and exited 0), and
 * a directory with nothing to run ("Selfheal could not start: routes").
 */
public class StartupFailuresIT {
    private static final String FAILURE = "Selfheal could not start: ";

    record Run(int exitCode, String output) {
        /** The failure line, after checking it is the only one and that nothing printed a stack trace. */
        String failureLine() {
            List<String> failures = output.lines().filter(l -> l.contains(FAILURE)).toList();
            assertThat(failures).as(output).hasSize(1);
            assertThat(output.lines().filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by:")
                    || l.contains(" ERROR ")).toList()).as(output).isEmpty();
            assertThat(exitCode).as(output).isNotZero();
            return failures.get(0);
        }
    }

    private static Run run(Path dir, String... jvmArgs) throws Exception {
        Path log = Files.createTempFile(dir.getParent(), "startup", ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-jar", ChildJar.JAR.toString()));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the jar did not exit within 60s:\n" + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log));
    }

    @Test
    void aMistypedRouteConfigurationIdStopsStartUpNamingTheRouteAndTheNearestId(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("job"));
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/orders.yaml"), """
                - route:
                    id: orders
                    routeConfigurationId: self-heal
                    from:
                      uri: "timer:orders?repeatCount=1&delay=0"
                      steps:
                        - log: "orders route ran"
                """);

        Run run = run(dir);

        assertThat(run.failureLine()).contains("route 'orders'").contains("'self-heal'")
                .contains("did you mean 'self-healing'?");
        assertThat(run.output()).doesNotContain("orders route ran");
    }

    @Test
    void aPortInUseStopsStartUpNamingThePortAndTheKeyThatSetsIt(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("demo"));
        copyTree(Path.of("routes"), dir.resolve("routes"));
        copyTree(Path.of("config"), dir.resolve("config"));
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket management = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int managementPort = management.getLocalPort();
            management.close();
            int port = taken.getLocalPort();

            Run run = run(dir, "-Dcamel.server.port=" + port, "-Dcamel.management.port=" + managementPort);

            assertThat(run.failureLine()).contains("127.0.0.1:" + port).contains("camel.server.port");
            assertThat(run.output()).doesNotContain("BindException").doesNotContain("Selfheal demo: run")
                    .doesNotContain("parked as #");
        }
    }

    @Test
    void theManagementPortInUseNamesItsOwnKey(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("demo"));
        copyTree(Path.of("routes"), dir.resolve("routes"));
        copyTree(Path.of("config"), dir.resolve("config"));
        try (ServerSocket server = new ServerSocket();
             ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int serverPort = server.getLocalPort();
            server.close();

            Run run = run(dir, "-Dcamel.server.port=" + serverPort, "-Dcamel.management.port=" + taken.getLocalPort());

            assertThat(run.failureLine()).contains(":" + taken.getLocalPort()).contains("camel.management.port");
        }
    }

    @Test
    void anEmptyDirectorySaysWhatIsMissingAndHowToStart(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));

        String line = run(dir).failureLine();

        assertThat(line).contains("no routes to run").contains("camel.main.routes-include-pattern")
                .contains("file:routes/*.yaml").contains("does not exist").contains("./routes/");
        // an empty routes directory is no better: nothing of the user's would run
        Files.createDirectories(dir.resolve("routes"));
        assertThat(run(dir).failureLine()).contains("no routes to run").contains("no route was found");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
