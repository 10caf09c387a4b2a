package io.selfheal.it;

import io.selfheal.testing.ChildJar;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Metrics and health are served for a user's own configuration without a line of it: on 127.0.0.1 at the documented
 * port 9876; {@code camel.management.port} alone moves them, {@code camel.management.enabled = false} alone switches
 * them off.
 */
class DefaultObservabilityIT {
    static final int DOCUMENTED_PORT = 9876;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aUsersOwnJobServesMetricsAndHealthOnTheDocumentedPort(@TempDir Path tmp) throws Exception {
        Path dir = job(tmp, null);
        try (ChildJar jar = started(dir, tmp)) {
            String metrics = get(DOCUMENTED_PORT, "/observe/metrics");
            assertThat(metrics).contains("selfheal_").contains("upstream=");
            assertThat(get(DOCUMENTED_PORT, "/observe/health")).contains("UP");
            assertThat(LoopbackListenersIT.listeners(jar.pid()))
                    .contains(new LoopbackListenersIT.Listener(InetAddress.getByName("127.0.0.1"), DOCUMENTED_PORT));
        }
    }

    @Test
    void oneKeyMovesThem(@TempDir Path tmp) throws Exception {
        int port = freePort();
        Path dir = job(tmp, "camel.management.port = " + port);
        try (ChildJar jar = started(dir, tmp)) {
            assertThat(get(port, "/observe/metrics")).contains("selfheal_");
            assertThat(LoopbackListenersIT.listeners(jar.pid())).extracting(LoopbackListenersIT.Listener::port)
                    .contains(port).doesNotContain(DOCUMENTED_PORT);
        }
    }

    @Test
    void oneKeySwitchesThemOff(@TempDir Path tmp) throws Exception {
        Path dir = job(tmp, "camel.management.enabled = false");
        try (ChildJar jar = started(dir, tmp)) {
            assertThat(LoopbackListenersIT.listeners(jar.pid())).extracting(LoopbackListenersIT.Listener::port)
                    .doesNotContain(DOCUMENTED_PORT);
        }
    }

    /** A job of the user's own: one route whose message gives up at once (so there is something to count). */
    private static Path job(Path tmp, String configLine) throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "needs Linux /proc");
        Path dir = Files.createDirectories(tmp.resolve("job"));
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/orders.yaml"), """
                - route:
                    id: orders
                    routeConfigurationId: self-healing
                    from:
                      uri: "timer:once?repeatCount=1&delay=0"
                      steps:
                        - setProperty:
                            name: SelfhealUpstream
                            constant: inventory-service
                        - throwException:
                            exceptionType: java.lang.IllegalArgumentException
                            message: "bad input"
                """);
        if (configLine != null) {
            Files.createDirectories(dir.resolve("config"));
            Files.writeString(dir.resolve("config/application.properties"), configLine + "\n");
        }
        return dir;
    }

    private static ChildJar started(Path dir, Path tmp) throws Exception {
        ChildJar jar = ChildJar.start(dir, tmp.resolve("job.log"), List.of("-Xmx256m"));
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> !jar.isAlive() || jar.output().contains("parked as #"));
        assertThat(jar.isAlive()).as(jar.tail(40)).isTrue();
        return jar;
    }

    private String get(int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
