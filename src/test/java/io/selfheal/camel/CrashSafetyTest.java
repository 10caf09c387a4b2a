package io.selfheal.camel;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStore;
import io.selfheal.testing.TestContexts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crash safety: the jar's main runs in a child JVM (its own working directory, config/ and routes/), a file-consumer
 * route's call gives up, and the process is killed with SIGKILL right after the give-up is logged. Every message is
 * then either parked or still in the source, never gone; after a restart all of them are parked. The parked CLI of
 * the same jar then lists and shows them, without the secret that was in the endpoint URL.
 */
public class CrashSafetyTest {
    static final List<String> BODIES = List.of("order-A", "order-B", "order-C");

    @TempDir
    Path dir;
    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        upstream.stubFor(post(urlPathEqualTo("/ledger")).willReturn(aResponse().withStatus(503)));
        Files.createDirectories(dir.resolve("config"));
        Files.createDirectories(dir.resolve("routes"));
        Files.createDirectories(dir.resolve("inbox"));
        Files.writeString(dir.resolve("config/application.properties"), """
                selfheal.defaults.max-attempts = 2
                selfheal.defaults.initial-delay = 20ms
                selfheal.defaults.max-delay = 100ms
                selfheal.alert.sinks = log
                selfheal.parked.replay-poll-interval = 200ms
                """);
        Files.writeString(dir.resolve("routes/inbox.yaml"), """
                - route:
                    id: inbox
                    routeConfigurationId: self-healing
                    from:
                      uri: file:inbox
                      parameters:
                        delay: 50
                        readLock: none
                      steps:
                        - setProperty:
                            name: SelfhealUpstream
                            constant: ledger
                        - to:
                            uri: http://127.0.0.1:%d/ledger?httpMethod=POST&apiKey=SECRET-CRASH-KEY
                """.formatted(upstream.getPort()));
        for (String body : BODIES) {
            Files.writeString(dir.resolve("inbox/" + body + ".txt"), body);
        }
    }

    @AfterEach
    void tearDown() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
    }

    private Process startJar(List<String> output, String... args) throws IOException {
        String cp = System.getProperty("java.class.path");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, "io.selfheal.camel.SelfhealMain"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        processes.add(p);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the process was killed
            }
        });
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    private String cli(String... args) throws Exception {
        List<String> out = new CopyOnWriteArrayList<>();
        List<String> all = new ArrayList<>(List.of("parked"));
        all.addAll(List.of(args));
        Process p = startJar(out, all.toArray(new String[0]));
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !p.isAlive());
        Thread.onSpinWait();
        String text = String.join("\n", out);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }

    private Set<String> inSource() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("inbox"))) {
            Set<String> out = new HashSet<>();
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.add(Files.readString(f));
            }
            return out;
        }
    }

    /** Ids of every parked record, oldest first. */
    private List<Long> parkedIds() {
        SelfhealConfig config = SelfhealConfig.load(Map.of("selfheal.parked.url",
                "jdbc:h2:file:" + dir.resolve("data/selfheal-parked") + ";AUTO_SERVER=TRUE"));
        try (ParkedStore store = new ParkedStore(config.parked(), Clock.systemUTC())) {
            return store.list(null, null, 1000).stream().map(ParkedMessage::id).sorted().toList();
        }
    }

    private Set<String> parkedBodies() {
        SelfhealConfig config = SelfhealConfig.load(Map.of("selfheal.parked.url",
                "jdbc:h2:file:" + dir.resolve("data/selfheal-parked") + ";AUTO_SERVER=TRUE"));
        try (ParkedStore store = new ParkedStore(config.parked(), Clock.systemUTC())) {
            Set<String> out = new HashSet<>();
            for (ParkedMessage m : store.list(null, null, 1000)) {
                out.add(new String(store.find(m.id()).orElseThrow().body(), StandardCharsets.UTF_8));
            }
            return out;
        }
    }

    @Test
    void aMessageKilledAtGiveUpIsParkedOrStillInTheSourceNeverGone() throws Exception {
        List<String> firstRun = new CopyOnWriteArrayList<>();
        Process jar = startJar(firstRun);
        await().atMost(Duration.ofSeconds(60)).until(() -> firstRun.stream().anyMatch(l -> l.contains("gave up: route=inbox"))
                || !jar.isAlive());
        jar.destroyForcibly();   // SIGKILL
        assertThat(jar.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(firstRun).as(String.join("\n", firstRun)).anyMatch(l -> l.contains("gave up: route=inbox"));

        // right after the kill: each message is parked, or still in the source, or both; never neither
        Set<String> parked = parkedBodies();
        Set<String> source = inSource();
        System.out.println("after SIGKILL: parked " + parked + ", still in the source " + source);
        for (String body : BODIES) {
            assertThat(parked.contains(body) || source.contains(body)).as(body + " is gone").isTrue();
        }

        // after a restart, what was left in the source is processed too: everything ends up parked
        List<String> secondRun = new CopyOnWriteArrayList<>();
        Process restarted = startJar(secondRun);
        await().atMost(Duration.ofSeconds(60)).until(() -> inSource().isEmpty()
                && secondRun.stream().filter(l -> l.contains("parked as #")).count() >= source.size());
        assertThat(parkedBodies()).containsAll(BODIES);
        // a message parked before the kill and read again after it is not parked a second time
        assertThat(parkedIds()).hasSize(BODIES.size());

        // a replay from the command line is carried out by the running jar; a discard is immediate. (The ids are read
        // from the store: H2 may skip identity values after a killed process, so they need not be 1 and 2.)
        String first = String.valueOf(parkedIds().get(0));
        String second = String.valueOf(parkedIds().get(1));
        upstream.resetMappings();
        upstream.stubFor(post(urlPathEqualTo("/ledger")).willReturn(aResponse().withStatus(200)));
        assertThat(cli("replay", first, "--max-attempts", "3", "--wait", "30s")).contains("#" + first + " replay requested")
                .contains("#" + first + " REPLAYED");
        assertThat(cli("discard", second, "--reason", "duplicate of order-A", "--by", "ops")).contains("#" + second + " DISCARDED");
        restarted.destroyForcibly();
        assertThat(restarted.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // the parked CLI of the same jar, on the same configuration
        String list = cli("list");
        assertThat(list).contains("PARKED").contains("REPLAYED").contains("DISCARDED").contains("inbox").contains("ledger");
        String show = cli("show", second);
        assertThat(show).contains("#" + second).contains("duplicate of order-A").contains("ledger").contains("apiKey=***").containsAnyOf(BODIES.toArray(new String[0]));
        for (String text : List.of(list, show, String.join("\n", firstRun), String.join("\n", secondRun))) {
            assertThat(text).doesNotContain("SECRET-CRASH-KEY");
        }
    }
}
