package io.selfheal.it;

import io.selfheal.camel.Selfheal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built jar, started from another directory holding a copy of the shipped routes/ and config/, runs the demo
 * pipeline to its summary with no outside service.
 */
class DemoJarIT {

    @Test
    void theJarRunsTheDemoToItsSummaryFromAnyDirectory(@TempDir Path workDir) throws Exception {
        Path jar = Path.of("target/selfheal.jar").toAbsolutePath();
        assertThat(jar).exists();
        copyTree(Path.of("routes"), workDir.resolve("routes"));
        copyTree(Path.of("config"), workDir.resolve("config"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = workDir.resolve("demo.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcamel.server.port=" + port, "-jar", jar.toString())
                .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = p.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(exited).as("the demo batch ends by itself\n%s", out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("Selfheal demo: batch summary");
        assertThat(out).containsPattern("records in batch\\s+40");
        int delivered = number(out, "delivered\\s+(\\d+)");
        int givenUp = number(out, "given up\\s+(\\d+)");
        // every record is accounted for: delivered or given up (and then parked)
        assertThat(delivered + givenUp).isEqualTo(40);
        // the two bad records are never retried; the one that is down for good gives up; the rest are delivered
        assertThat(out).containsPattern("PERMANENT\\s+2");
        assertThat(delivered).isGreaterThanOrEqualTo(30);
        // the log shows retries with each delay source, and one give-up line per give-up
        // (a wait for the breaker is logged at DEBUG; its open period says at INFO how many calls waited)
        assertThat(out).contains("(backoff)").contains("(retry-after)").contains("open period of");
        // (at least: a message given up while the breaker was open is replayed when it closes, and may give up again)
        assertThat(out.lines().filter(l -> l.contains("i.s.escalation") && l.contains("gave up:")).count())
                .isGreaterThanOrEqualTo(givenUp);
        // the alert sink's ERROR line: the first give-up of each kind alerts at once, later ones are grouped
        assertThat(out.lines().filter(l -> l.contains("ERROR") && l.contains("i.s.alert")).count()).isGreaterThanOrEqualTo(2);
        // each given-up record is parked, and the summary says how to list them
        assertThat(out.lines().filter(l -> l.contains("i.s.escalation") && l.contains("parked as #")).count())
                .isGreaterThanOrEqualTo(givenUp);
        assertThat(out).contains("parked list");
        // the upstream's restart opens its breaker, which a probe closes again
        assertThat(out).contains("breaker inventory-service: CLOSED -> OPEN").contains("HALF_OPEN -> CLOSED");
        // retry drift per upstream is part of the summary
        assertThat(out).containsPattern("inventory-service\\s+\\d+\\s+\\d+\\s+[0-9.]+%");
        // the delivered rows are in the embedded H2 database under ./data of the working directory
        assertThat(workDir.resolve("data/demo.mv.db")).exists();
    }

    private static int number(String out, String regex) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(out);
        assertThat(m.find()).as(regex).isTrue();
        return Integer.parseInt(m.group(1));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
