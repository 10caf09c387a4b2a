package io.selfheal.it;

import io.selfheal.testing.ChildJar;
import io.selfheal.testing.LocalKafka;
import io.selfheal.testing.TestContexts;

import com.github.luben.zstd.Zstd;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import net.jpountz.lz4.LZ4Factory;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A component the runnable jar does not ship, added by putting its jars in {@code ./lib}: the built jar consumes JSON
 * orders from a real Kafka broker (KRaft, in this JVM, on 127.0.0.1) through camel-kafka and kafka-clients from the
 * lib folder, and posts each to an upstream that fails its first call with a 503: every order arrives once, after
 * one retry, nothing is parked. Without the lib folder the same route stops start-up with one line saying where the
 * component goes.
 */
class LibFolderKafkaIT {
    private static final int ORDERS = 20;
    private static final String TOPIC = "orders";
    private static final String ORDER_HEADER = "X-Order-Id";
    /**
     * A class from each jar camel-kafka needs at run time that the runnable jar lacks (camel-kafka's own dependencies
     * camel-support, camel-health, Jackson and slf4j are in it): the component, the Kafka clients, and the clients'
     * compression codecs. The jars are found where the test class path has them: no network.
     */
    private static final List<Class<?>> NOT_IN_THE_JAR = List.of(KafkaComponent.class, KafkaConsumer.class,
            LZ4Factory.class, Zstd.class, Snappy.class);

    @TempDir
    Path tmp;
    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    private ChildJar jar;

    @AfterEach
    void tearDown() throws Exception {
        if (jar != null) {
            jar.close();
        }
    }

    @Test
    void aKafkaRouteRunsWithTheComponentInTheLibFolderAndEveryOrderHealsOnce() throws Exception {
        for (int i = 0; i < ORDERS; i++) {
            String scenario = "order-" + i;
            upstream.stubFor(post(urlPathEqualTo("/orders")).withHeader(ORDER_HEADER, equalTo(String.valueOf(i)))
                    .inScenario(scenario).whenScenarioStateIs(STARTED).willSetStateTo("failed once")
                    .willReturn(aResponse().withStatus(503)));
            upstream.stubFor(post(urlPathEqualTo("/orders")).withHeader(ORDER_HEADER, equalTo(String.valueOf(i)))
                    .inScenario(scenario).whenScenarioStateIs("failed once")
                    .willReturn(aResponse().withStatus(200)));
        }
        try (LocalKafka kafka = LocalKafka.start(tmp.resolve("kafka"))) {
            kafka.createTopic(TOPIC, 1);
            Path dir = job(kafka.bootstrapServers());
            List<String> added = fillLib(dir.resolve("lib"));

            jar = ChildJar.start(dir, tmp.resolve("job.log"), List.of("-Xmx256m"));
            await().atMost(Duration.ofSeconds(60)).until(() -> jar.output().contains("started in") || !jar.isAlive());
            assertThat(jar.isAlive()).as(jar.tail(40)).isTrue();
            assertThat(jar.output().lines().filter(l -> l.contains("from the lib folder")).toList())
                    .as("the lib jars, once, by file name").singleElement().asString()
                    .endsWith("Added " + added.size() + " jar(s) from the lib folder: " + String.join(", ", added));

            try (KafkaProducer<String, String> producer = kafka.producer()) {
                for (int i = 0; i < ORDERS; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "order-" + i,
                            "{\"id\": " + i + ", \"item\": \"widget\", \"quantity\": " + (i + 1) + "}")).get();
                }
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> statusesByOrder().values().stream()
                    .filter(s -> s.contains(200)).count() == ORDERS || !jar.isAlive());
            assertThat(jar.isAlive()).as(jar.tail(40)).isTrue();
            Map<String, List<Integer>> calls = statusesByOrder();
            assertThat(calls).as("every order reached the upstream").hasSize(ORDERS);
            calls.forEach((order, statuses) -> assertThat(statuses)
                    .as("order %s: one 503, then delivered once\n%s", order, jar.tail(40)).containsExactly(503, 200));
            assertThat(jar.output()).doesNotContain("gave up:");

            Path cli = tmp.resolve("parked-list.log");
            ChildJar list = ChildJar.start(dir, cli, List.of(), "parked", "list");
            assertThat(list.process().waitFor(60, TimeUnit.SECONDS)).as("parked list exits").isTrue();
            assertThat(list.process().exitValue()).as(list.output()).isZero();
            assertThat(list.output()).as("nothing parked").contains("(no parked messages)");

            jar.process().destroy();
            assertThat(jar.process().waitFor(60, TimeUnit.SECONDS)).as("SIGTERM stops the job").isTrue();
            assertThat(jar.output()).doesNotContain("Forcing the routes to be shutdown now");
        }
    }

    @Test
    void withoutTheLibFolderTheRouteStopsStartUpSayingWhereTheComponentGoes() throws Exception {
        Path dir = job("127.0.0.1:9");

        String line = failure(dir, List.of());

        assertThat(line).contains("kafka").contains("add the component's jar and its dependencies to ./lib")
                .contains("docs/guides/operations.md#adding-components");
        // a lib folder named explicitly must exist: one line naming it, before anything starts
        String missing = failure(dir, List.of("-Dselfheal.lib=" + dir.resolve("no-such-lib")));
        assertThat(missing).contains("the lib folder " + dir.resolve("no-such-lib").toAbsolutePath())
                .contains("-Dselfheal.lib").contains("does not exist");
    }

    /** The jar's one failure line, after checking it exited non-zero with one such line and no stack trace. */
    private String failure(Path dir, List<String> jvmArgs) throws Exception {
        Path log = Files.createTempFile(tmp, "startup", ".log");
        ChildJar failed = ChildJar.start(dir, log, jvmArgs);
        try (failed) {
            assertThat(failed.process().waitFor(60, TimeUnit.SECONDS)).as("start-up fails and exits").isTrue();
        }
        String out = failed.output();
        assertThat(failed.process().exitValue()).as(out).isNotZero();
        assertThat(out.lines().filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by:")).toList()).as(out)
                .isEmpty();
        List<String> lines = out.lines().filter(l -> l.contains("Selfheal could not start: ")).toList();
        assertThat(lines).as(out).hasSize(1);
        return lines.get(0);
    }

    /** The job's folder: its config and the Kafka route; no lib folder yet. */
    private Path job(String brokers) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("job"));
        Files.createDirectories(dir.resolve("config"));
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("config/application.properties"), """
                camel.server.enabled = false
                camel.management.enabled = false
                # the 503 is retried after about 50 ms; budget for every order's retry
                selfheal.upstream.orders-service.initial-delay = 50ms
                selfheal.upstream.orders-service.max-delay = 200ms
                selfheal.budget.defaults.max-tokens = 100
                selfheal.parked.replay-poll-interval = 0s
                """);
        Files.writeString(dir.resolve("routes/orders.yaml"), """
                - route:
                    id: orders
                    routeConfigurationId: self-healing
                    from:
                      uri: "kafka:%s"
                      parameters:
                        brokers: "%s"
                        groupId: selfheal-lib-it
                        autoOffsetReset: earliest
                      steps:
                        - unmarshal:
                            json: {}
                        - setHeader:
                            name: %s
                            simple: "${body[id]}"
                        - setProperty:
                            name: SelfhealUpstream
                            constant: orders-service
                        - marshal:
                            json: {}
                        - to: "http://127.0.0.1:%d/orders?httpMethod=POST&connectTimeout=2000&responseTimeout=5000"
                """.formatted(TOPIC, brokers, ORDER_HEADER, upstream.getPort()));
        return dir;
    }

    /** Copies the jar of each class the runnable jar lacks into {@code lib}; returns their file names, sorted. */
    private static List<String> fillLib(Path lib) throws Exception {
        Files.createDirectories(lib);
        List<String> names = new ArrayList<>();
        try (ZipFile runnable = new ZipFile(ChildJar.JAR.toFile())) {
            for (Class<?> c : NOT_IN_THE_JAR) {
                assertThat(runnable.getEntry(c.getName().replace('.', '/') + ".class"))
                        .as("%s is not in %s", c.getName(), ChildJar.JAR).isNull();
                Path source = jarOf(c);
                Files.copy(source, lib.resolve(source.getFileName()));
                names.add(source.getFileName().toString());
            }
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    private static Path jarOf(Class<?> c) throws URISyntaxException {
        Path p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(p.getFileName().toString()).as("%s comes from a jar", c.getName()).endsWith(".jar");
        return p;
    }

    /** The statuses the upstream answered, per order, oldest first. */
    private Map<String, List<Integer>> statusesByOrder() {
        return upstream.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getHeader(ORDER_HEADER) != null)
                .sorted(Comparator.comparing((ServeEvent e) -> e.getRequest().getLoggedDate()))
                .collect(Collectors.groupingBy(e -> e.getRequest().getHeader(ORDER_HEADER), TreeMap::new,
                        Collectors.mapping(e -> e.getResponse().getStatus(), Collectors.toList())));
    }
}
