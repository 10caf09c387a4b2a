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
 * demo job's three runs to their summaries and the job's history, with no outside service.
 */
class DemoJarIT {

    @Test
    void theJarRunsTheDemoJobsThreeRunsToTheirSummariesFromAnyDirectory(@TempDir Path workDir) throws Exception {
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
        // three runs of the job, each with its summary from its run record; what the upstream's script fixes holds
        // whatever the timing: run 1 parks the two bad records and the one it is down for, run 2 heals every blip,
        // run 3 is clean
        assertThat(out).contains("Selfheal demo: run 1 of 3 of job demo-batch")
                .contains("Selfheal demo: run 2 of 3 of job demo-batch").contains("Selfheal demo: run 3 of 3 of job demo-batch");
        String run1 = section(out, "run 1 of 3");
        assertThat(run1).contains("PARTIAL  (one page sent for the run)").containsPattern("records\\s+40\\n")
                .containsPattern("parked\\s+3\\s+\\(PERMANENT 2, ATTEMPTS 1\\)");
        assertThat(number(run1, "delivered first try\\s+(\\d+)") + number(run1, "delivered after retries\\s+(\\d+)"))
                .isEqualTo(37);
        assertThat(number(run1, "delivered after retries\\s+(\\d+)")).as("the restart and the blips are retried")
                .isPositive();
        String run2 = section(out, "run 2 of 3");
        assertThat(run2).contains("HEALED  (no page)").containsPattern("parked\\s+0\\n");
        assertThat(number(run2, "delivered first try\\s+(\\d+)") + number(run2, "delivered after retries\\s+(\\d+)"))
                .isEqualTo(40);
        // the 12 scripted blips at least (a record the breaker held back, had a replay of run 1's record opened it, too)
        assertThat(number(run2, "delivered after retries\\s+(\\d+)")).isGreaterThanOrEqualTo(12);
        String run3 = section(out, "run 3 of 3");
        assertThat(run3).contains("CLEAN  (no page)").containsPattern("delivered first try\\s+40\\n")
                .containsPattern("calls to inventory-service\\s+40\\s+\\(0 retries\\)");
        // the final history: the three runs and the success rate over them
        assertThat(out).contains("job demo-batch, last 24h: 3 runs (CLEAN 1, HEALED 1, PARTIAL 1), success 67% (2 of 3), 1 page(s)")
                .contains("records 120, delivered 117, parked 3");
        // one page, for run 1 only: a run's records do not alert one by one, and a HEALED or CLEAN run never pages
        // (a replay of a run's record that gives up again alerts on its own, as any give-up outside a run)
        assertThat(out.lines().filter(l -> l.contains("ERROR") && l.contains("i.s.alert") && l.contains("SelfhealJobRun"))
                .toList()).singleElement().asString().contains("Job demo-batch, run of").contains("3 of 40 records parked");
        // the log shows retries with each delay source, and one give-up line per parked record
        assertThat(out).contains("(backoff)").contains("(retry-after)").contains("open period of");
        // (at least: a message given up while the breaker was open is replayed when it closes, and may give up again)
        assertThat(out.lines().filter(l -> l.contains("i.s.escalation") && l.contains("gave up:")).count())
                .isGreaterThanOrEqualTo(3);
        assertThat(out.lines().filter(l -> l.contains("i.s.escalation") && l.contains("parked as #")).count())
                .isGreaterThanOrEqualTo(3);
        assertThat(out).contains("parked list");
        // the upstream's restart in run 1 opens its breaker, which a probe closes again
        assertThat(out).contains("breaker inventory-service: CLOSED -> OPEN").contains("HALF_OPEN -> CLOSED");
        // the delivered rows are in the embedded H2 database under ./data of the working directory
        assertThat(workDir.resolve("data/demo.mv.db")).exists();
    }

    /** The summary block of one run, up to its closing rule. */
    private static String section(String out, String title) {
        int from = out.indexOf("Selfheal demo: " + title);
        assertThat(from).as(title).isNotNegative();
        int to = out.indexOf("=====\n", out.indexOf('\n', from) + 1);
        return out.substring(from, to < 0 ? out.length() : to);
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
