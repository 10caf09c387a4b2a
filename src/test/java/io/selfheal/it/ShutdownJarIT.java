package io.selfheal.it;

import io.selfheal.testing.CallKeys;
import io.selfheal.testing.ChildJar;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to the built jar while 50 exchanges wait for a retry, 25 from a seda queue (which has no acknowledgement:
 * a dropped exchange is gone) and 25 from a file inbox; most wait for the upstream's open breaker, the rest in
 * backoff. Every one is parked as SHUTDOWN before the process exits, none is dropped, and the next start replays
 * them all into their routes, each with the Idempotency-Key it was parked with (the one its first call carried).
 */
class ShutdownJarIT {
    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final int FROM_SEDA = 25;
    private static final int FROM_FILES = 25;
    private static final int ALL = FROM_SEDA + FROM_FILES;
    private static final Pattern EXCHANGE = Pattern.compile("exchange=(\\S+)");

    @TempDir
    Path dir;
    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    private final String table = "shutdown_parked_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private ChildJar jar;

    @AfterEach
    void tearDown() throws Exception {
        if (jar != null) {
            jar.close();
        }
        try (Connection c = DriverManager.getConnection(PG_URL, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("DROP TABLE IF EXISTS " + table + "_pollers");
        }
    }

    @Test
    void sigtermParksEveryWaitingExchangeAsShutdownAndTheNextStartReplaysThem() throws Exception {
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(503)));
        write(upstream.getPort());

        // the waits (refused attempts) are logged at DEBUG: this test counts them
        jar = ChildJar.start(dir, dir.resolve("run-1.log"), List.of("-Xmx256m", "-Dio.selfheal.attempts.level=DEBUG"));
        await().atMost(Duration.ofSeconds(60)).until(() -> jar.output().contains("started in") || !jar.isAlive());
        for (int i = 0; i < FROM_SEDA; i++) {
            drop("feed", "seda-" + i);
        }
        for (int i = 0; i < FROM_FILES; i++) {
            drop("inbox", "file-" + i);
        }
        // every exchange has failed or been refused once and now waits: for the open breaker or in backoff
        await().atMost(Duration.ofSeconds(60)).until(() -> waitingExchanges(jar.output()).size() == ALL
                || !jar.isAlive());
        assertThat(jar.isAlive()).as(jar.tail(40)).isTrue();
        assertThat(jar.output()).as("the breaker opened, so most wait for it").contains("(breaker)");
        List<LoggedRequest> firstRun = upstream.findAll(postRequestedFor(urlPathEqualTo("/orders")));

        jar.stop(60);
        String out = jar.output();
        assertThat(jar.isAlive()).isFalse();
        assertThat(out).as("no exchange was left behind by the shutdown")
                .doesNotContain("Forcing the routes to be shutdown now");
        assertThat(out.lines().filter(l -> l.contains("reason=SHUTDOWN") && l.contains("gave up:")).count())
                .as("one give-up line each").isEqualTo(ALL);
        Map<String, String> parked = parkedKeysByBody();
        assertThat(parked).as("every waiting exchange is parked, none dropped\n%s", jar.tail(30)).hasSize(ALL);
        assertThat(rows("SELECT COUNT(*) FROM " + table + " WHERE give_up_reason = 'SHUTDOWN' AND status = 'PARKED'"))
                .isEqualTo(ALL);
        assertThat(filesLeft("inbox")).as("a parked file is acknowledged").isEmpty();
        // the calls made before the shutdown carried the key of the record's message key for their call site
        for (LoggedRequest r : firstRun) {
            assertThat(r.getHeader("Idempotency-Key")).isEqualTo(CallKeys.of(parked.get(r.getBodyAsString()), r));
        }
        assertThat(upstream.findAll(postRequestedFor(urlPathEqualTo("/orders"))))
                .as("no waiting exchange called the upstream on the way out").hasSize(firstRun.size());

        // the upstream is back: the next start replays what the shutdown parked, each once, with its key
        upstream.resetRequests();
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(200)));
        jar = ChildJar.start(dir, dir.resolve("run-2.log"), List.of("-Xmx256m"));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                rows("SELECT COUNT(*) FROM " + table + " WHERE status = 'REPLAYED'") == ALL || !jar.isAlive());
        assertThat(jar.isAlive()).as(jar.tail(40)).isTrue();
        List<LoggedRequest> replayed = upstream.findAll(postRequestedFor(urlPathEqualTo("/orders")));
        assertThat(replayed).as("each delivered once").hasSize(ALL);
        // each with the key its first run's calls carried: the record's message key, for the same call site
        assertThat(replayed.stream().map(LoggedRequest::getBodyAsString).collect(Collectors.toSet())).isEqualTo(parked.keySet());
        for (LoggedRequest r : replayed) {
            assertThat(r.getHeader("Idempotency-Key")).isEqualTo(CallKeys.of(parked.get(r.getBodyAsString()), r));
        }
        assertThat(rows("SELECT COUNT(*) FROM " + table)).as("nothing parked anew").isEqualTo(ALL);
        jar.stop(60);
    }

    /** Exchanges whose last attempt line says they wait (a retry is scheduled). */
    private static Set<String> waitingExchanges(String out) {
        Set<String> waiting = new TreeSet<>();
        out.lines().filter(l -> l.contains("attempt ") && l.contains(" next in ")).forEach(l -> {
            Matcher m = EXCHANGE.matcher(l);
            if (m.find()) {
                waiting.add(m.group(1));
            }
        });
        return waiting;
    }

    private void write(int port) throws Exception {
        Files.createDirectories(dir.resolve("config"));
        Files.createDirectories(dir.resolve("routes"));
        Files.createDirectories(dir.resolve("inbox"));
        Files.createDirectories(dir.resolve("feed"));
        Files.createDirectories(dir.resolve("staging"));
        Files.writeString(dir.resolve("config/application.properties"), """
                # every exchange fails, then waits minutes: the breaker opens after 5 failures and stays open
                selfheal.defaults.max-attempts = 8
                selfheal.defaults.initial-delay = 2m
                selfheal.defaults.max-delay = 2m
                selfheal.defaults.max-duration = 1h
                selfheal.breaker.defaults.enabled = true
                selfheal.breaker.defaults.consecutive-failures = 5
                selfheal.breaker.defaults.wait-in-open = 2m
                selfheal.breaker.defaults.wait-in-open-max = 2m
                selfheal.budget.defaults.enabled = false
                selfheal.idempotency.url = jdbc:h2:file:./data/idempotency;WRITE_DELAY=0
                selfheal.parked.url = %s
                selfheal.parked.username = postgres
                selfheal.parked.table = %s
                selfheal.parked.replay-poll-interval = 0s
                selfheal.parked.auto-replay.rate = 100
                selfheal.alert.sinks = log
                """.formatted(PG_URL, table));
        String call = "http://127.0.0.1:" + port + "/orders?httpMethod=POST&connectTimeout=2000&responseTimeout=5000";
        Files.writeString(dir.resolve("routes/orders.yaml"), """
                - route:
                    id: feed
                    from:
                      uri: file:feed
                      parameters: { delay: 50, readLock: none }
                      steps:
                        - convertBodyTo: { type: String }
                        - to: seda:orders
                - route:
                    id: from-seda
                    routeConfigurationId: self-healing
                    from:
                      uri: seda:orders
                      parameters: { concurrentConsumers: 2 }
                      steps:
                        - setProperty: { name: SelfhealUpstream, constant: orders-service }
                        - to: "%1$s"
                - route:
                    id: from-files
                    routeConfigurationId: self-healing
                    from:
                      uri: file:inbox
                      parameters: { delay: 50, readLock: none }
                      steps:
                        - convertBodyTo: { type: String }
                        - setProperty: { name: SelfhealUpstream, constant: orders-service }
                        - to: "%1$s"
                """.formatted(call));
    }

    /** Written beside the folder and moved in, so a consumer never sees half a file. */
    private void drop(String folder, String body) throws Exception {
        Path f = dir.resolve("staging").resolve(body + ".txt");
        Files.writeString(f, body);
        Files.move(f, dir.resolve(folder).resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    private List<Path> filesLeft(String folder) throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve(folder))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private Map<String, String> parkedKeysByBody() throws Exception {
        Map<String, String> keys = new HashMap<>();
        try (Connection c = DriverManager.getConnection(PG_URL, "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT body, idempotency_key FROM " + table)) {
            while (rs.next()) {
                assertThat(keys.put(new String(rs.getBytes(1), java.nio.charset.StandardCharsets.UTF_8),
                        rs.getString(2))).as("one record per message").isNull();
            }
        }
        return keys;
    }

    private int rows(String query) {
        try (Connection c = DriverManager.getConnection(PG_URL, "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }
}
