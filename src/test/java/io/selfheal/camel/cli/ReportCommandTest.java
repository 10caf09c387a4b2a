package io.selfheal.camel.cli;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.selfheal.observe.SelfhealMeters;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code java -jar selfheal.jar report} reads a running instance's scrape and prints retry drift per upstream. */
class ReportCommandTest {

    @Test
    void printsTheDriftTableFromAScrapeEndpoint() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SelfhealMeters meters = new SelfhealMeters(registry);
        meters.attempt("r", "inventory", false, "TRANSIENT");
        meters.attempt("r", "inventory", true, "success");
        meters.delivered("r", "inventory", 2);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/observe/metrics", ex -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            SelfhealCommandTest.Run r = SelfhealCommandTest.run("report", "--url",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/observe/metrics");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).containsPattern("inventory\\s+1\\s+1\\s+100.0%\\s+2\\s+2");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void saysSoWhenNothingIsRunning() {
        SelfhealCommandTest.Run r = SelfhealCommandTest.run("report", "--url", "http://127.0.0.1:1/observe/metrics");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("No running Selfheal answers at http://127.0.0.1:1/observe/metrics")
                .contains("--url").doesNotContain("(null)");
    }

    @Test
    void withoutAUrlItNamesTheUrlItMadeFromTheSettings() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String previous = System.setProperty("camel.management.port", String.valueOf(port));
        try {
            SelfhealCommandTest.Run r = SelfhealCommandTest.run("report");
            assertThat(r.code()).isEqualTo(1);
            // the management host is 127.0.0.1 unless configured otherwise, and the message says which settings made it
            assertThat(r.err()).contains("http://127.0.0.1:" + port + "/observe/metrics")
                    .contains("camel.management.port").contains("camel.management.enabled=true")
                    .doesNotContain("0.0.0.0").doesNotContain("(null)");
        } finally {
            if (previous == null) {
                System.clearProperty("camel.management.port");
            } else {
                System.setProperty("camel.management.port", previous);
            }
        }
    }
}
