package io.selfheal.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** selfheal.log.format=json: every line of the jar's output is one JSON object; attempt lines carry their fields. */
class JsonLogIT {

    @Test
    void eachAttemptLineParsesAsJsonWithTheAttemptFields(@TempDir Path workDir) throws Exception {
        DemoJarIT.copyTree(Path.of("routes"), workDir.resolve("routes"));
        DemoJarIT.copyTree(Path.of("config"), workDir.resolve("config"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = workDir.resolve("out.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcamel.server.port=" + port, "-Dselfheal.log.format=json",
                "-jar", Path.of("target/selfheal.jar").toAbsolutePath().toString())
                .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> attempts = new ArrayList<>();
        List<JsonNode> giveUps = new ArrayList<>();
        boolean afterSwitch = false;
        for (String line : Files.readAllLines(log)) {
            if (!line.startsWith("{")) {
                // lines before the switch (camel-main's first start-up lines) are still text
                assertThat(afterSwitch).as("a text line after the JSON switch: %s", line).isFalse();
                continue;
            }
            afterSwitch = true;
            JsonNode node = json.readTree(line);
            JsonNode fields = node; // the fields are flattened into the line's object
            if ("attempt_failed".equals(fields.path("event").asText())) {
                attempts.add(fields);
            } else if ("gave_up".equals(fields.path("event").asText())) {
                giveUps.add(fields);
            }
        }
        assertThat(attempts).isNotEmpty();
        // the demo's own bound for its upstream, as the shipped configuration sets it
        java.util.Properties demo = new java.util.Properties();
        try (var in = Files.newInputStream(Path.of("config/application.properties"))) {
            demo.load(in);
        }
        int maxAttempts = Integer.parseInt(demo.getProperty("selfheal.upstream.inventory-service.max-attempts").trim());
        for (JsonNode a : attempts) {
            assertThat(a.path("route").asText()).isEqualTo("demo-record");
            assertThat(a.path("upstream").asText()).isEqualTo("inventory-service");
            assertThat(a.path("attempt").asInt()).isPositive();
            assertThat(a.path("maxAttempts").asInt()).isEqualTo(maxAttempts);
            assertThat(a.path("failureClass").asText()).isIn("TRANSIENT", "RECOVERABLE", "PERMANENT");
            assertThat(a.path("outcome").asText()).matches("HTTP \\d+|UpstreamUnavailableException");
            assertThat(a.has("delaySource") || a.has("giveUpReason")).isTrue();
            assertThat(a.path("exchangeId").asText()).isNotBlank();
        }
        assertThat(attempts).anySatisfy(a -> assertThat(a.path("delaySource").asText()).isEqualTo("retry-after"));
        assertThat(giveUps).hasSizeGreaterThanOrEqualTo(3);
        assertThat(giveUps).allSatisfy(g -> assertThat(g.path("giveUpReason").asText()).isNotBlank());
    }
}
