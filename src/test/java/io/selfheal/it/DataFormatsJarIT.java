package io.selfheal.it;

import io.selfheal.testing.ChildJar;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The runnable jar parses what data jobs read: {@code unmarshal: json} (camel-jackson) and {@code unmarshal: csv}. */
class DataFormatsJarIT {

    @Test
    void yamlRoutesUnmarshalJsonAndCsvInTheJar(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("job"));
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/formats.yaml"), """
                - route:
                    id: json
                    routeConfigurationId: self-healing
                    from:
                      uri: "timer:json?repeatCount=1&delay=0"
                      steps:
                        - setBody:
                            constant: '{"order": 7, "sku": "A-1"}'
                        - unmarshal:
                            json: {}
                        - log: "json order ${body[order]} sku ${body[sku]}"
                - route:
                    id: csv
                    routeConfigurationId: self-healing
                    from:
                      uri: "timer:csv?repeatCount=1&delay=0"
                      steps:
                        - setBody:
                            constant: "order,sku\\n8,B-2\\n9,C-3"
                        - unmarshal:
                            csv:
                              useMaps: true
                        - log: "csv rows ${body.size()} first sku ${body[0][sku]}"
                """);
        try (ChildJar jar = ChildJar.start(dir, tmp.resolve("job.log"), List.of("-Xmx256m",
                "-Dcamel.management.enabled=false"))) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !jar.isAlive()
                            || jar.output().contains("json order") && jar.output().contains("csv rows"));
            assertThat(jar.output()).as(jar.tail(40))
                    .contains("json order 7 sku A-1")
                    .contains("csv rows 2 first sku B-2");
        }
    }
}
