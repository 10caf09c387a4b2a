package io.selfheal.it;

import io.selfheal.camel.Selfheal;
import io.selfheal.testing.ChildJar;
import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Secrets and access (issue 8, part 4), on the built jar as it runs in production (its log configuration, both log
 * formats). A route receives orders over HTTP carrying every kind of secret: Authorization, Proxy-Authorization,
 * Cookie, X-Api-Key, a header configured as sensitive ({@code selfheal.parked.sensitive-headers}) and a token in the
 * query string; it logs in to an upstream that answers with Set-Cookie, then calls it with a password in the URL
 * (user:password@host) and tokens in the query string; the upstream answers 503 (gives up ATTEMPTS), 400 (PERMANENT)
 * with secrets in its answer, and one order is too large to park (Camel's own error logging). Everything is parked and
 * alerted to the log and to a webhook that has its own Authorization header.
 * <p>
 * Then every view is scanned for every secret value: the jar's whole output (text or JSON lines), the webhook bodies,
 * {@code parked list} and {@code parked show} of each record (the CLI of the same jar), the HTTP API's list and show,
 * and the Prometheus scrape. None may contain one. The API also refuses requests without the token or with a wrong one
 * in every form, and never echoes the token.
 */
class SecretsScanIT {
    static final String API_TOKEN = "api-token-" + UUID.randomUUID();
    /** Every secret value the run uses, by where it came from. */
    static final Map<String, String> SECRETS = new LinkedHashMap<>();

    static {
        SECRETS.put("Authorization header", "SECRET-BEARER-7f3a");
        SECRETS.put("Proxy-Authorization header", "SECRET-PROXY-AUTH-19cd");
        SECRETS.put("Cookie header", "SECRET-COOKIE-88e1");
        SECRETS.put("X-Api-Key header", "SECRET-API-KEY-5b20");
        SECRETS.put("configured header X-Tenant-Secret", "SECRET-CUSTOM-HEADER-a4d9");
        SECRETS.put("inbound query token", "SECRET-INBOUND-QUERY-31f0");
        SECRETS.put("password in the upstream URL", "SECRET-URL-PASSWORD-c07e");
        SECRETS.put("access_token in the upstream query", "SECRET-QUERY-TOKEN-6ab2");
        SECRETS.put("apiKey in the upstream query", "SECRET-QUERY-APIKEY-e915");
        SECRETS.put("Set-Cookie from the login answer", "SECRET-SET-COOKIE-0d4c");
        SECRETS.put("Set-Cookie on the 503 answer", "SECRET-SET-COOKIE-503-72aa");
        SECRETS.put("token in the 400 answer's body", "SECRET-RESP-TOKEN-b3b8");
        SECRETS.put("session in the 503 answer's body", "SECRET-RESP-SESSION-4c61");
        SECRETS.put("the webhook's own Authorization", "SECRET-WEBHOOK-AUTH-9e0f");
        SECRETS.put("the parked API token", API_TOKEN);
    }

    @TempDir
    Path dir;
    @RegisterExtension
    final WireMockExtension upstream = TestContexts.localWireMock();
    @RegisterExtension
    final WireMockExtension hook = TestContexts.localWireMock();
    private ChildJar jar;
    private final HttpClient http = HttpClient.newHttpClient();
    private int serverPort;
    private int managementPort;

    @AfterEach
    void tearDown() throws Exception {
        if (jar != null) {
            jar.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"text", "json"})
    void noSecretAppearsInLogsAlertsParkedViewsOrMetrics(String logFormat) throws Exception {
        upstream.stubFor(post(urlPathEqualTo("/login")).willReturn(aResponse().withStatus(200)
                .withHeader("Set-Cookie", "session=" + SECRETS.get("Set-Cookie from the login answer") + "; Path=/; HttpOnly")
                .withBody("welcome")));
        upstream.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(503)
                .withHeader("Set-Cookie", "trk=" + SECRETS.get("Set-Cookie on the 503 answer"))
                .withBody("<error><reason>busy</reason><session>" + SECRETS.get("session in the 503 answer's body")
                        + "</session></error>")));
        upstream.stubFor(post(urlPathEqualTo("/orders")).withRequestBody(containing("refuse"))
                .willReturn(aResponse().withStatus(400)
                        .withBody("{\"error\":\"invalid order\",\"access_token\":\""
                                + SECRETS.get("token in the 400 answer's body") + "\"}")));
        hook.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        serverPort = EscalationTests.freePort();
        managementPort = EscalationTests.freePort();

        writeJobDirectory(logFormat);
        jar = ChildJar.start(dir, dir.resolve("jar.log"), List.of("-Xmx256m"));
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> api("GET", "/selfheal/parked").statusCode() == 401);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the jar did not start:\n" + jar.tail(60), e);
        }

        // three orders, each carrying every inbound secret
        order("order 1");                  // 503, 503: ATTEMPTS, parked
        order("order 2 refuse");           // 400: PERMANENT, parked
        order("order 3 userinfo");         // user:password@host, refused by the HTTP client: parked
        HttpResponse<String> tooLarge = order("order 4 refuse " + "x".repeat(5000));        // too large to park
        assertThat(tooLarge.statusCode()).as("%s%n%s", tooLarge.body(), jar.tail(40)).isEqualTo(500);
        await().atMost(Duration.ofSeconds(20)).until(() -> hook.findAll(postRequestedFor(urlPathEqualTo("/hook"))).size() >= 4);

        // the secrets were real: the upstream received them
        List<LoggedRequest> calls = upstream.findAll(postRequestedFor(urlPathEqualTo("/orders")));
        assertThat(calls).as("calls of the upstream; the jar said:%n%s", jar.tail(80)).isNotEmpty();
        LoggedRequest call = calls.get(0);
        assertThat(call.getHeader("Authorization")).contains(SECRETS.get("Authorization header"));
        assertThat(call.getUrl()).contains(SECRETS.get("access_token in the upstream query"));
        assertThat(hook.findAll(postRequestedFor(urlPathEqualTo("/hook"))).get(0).getHeader("Authorization"))
                .contains(SECRETS.get("the webhook's own Authorization"));

        Map<String, String> views = new LinkedHashMap<>();
        HttpResponse<String> list = api("GET", "/selfheal/parked", "Authorization", "Bearer " + API_TOKEN);
        assertThat(list.statusCode()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        for (Object row : (JsonArray) Jsoner.deserialize(list.body())) {
            ids.add(((JsonObject) row).getLong("id"));
        }
        assertThat(ids).hasSize(3);
        views.put("API list", list.body());
        for (long id : ids) {
            HttpResponse<String> show = api("GET", "/selfheal/parked/" + id, "X-Selfheal-Token", API_TOKEN);
            assertThat(show.statusCode()).isEqualTo(200);
            views.put("API show #" + id, show.body());
            // names as the HTTP server spelled them (Vert.x: lower case)
            Map<String, Object> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.putAll((JsonObject) ((JsonObject) Jsoner.deserialize(show.body())).get("headers"));
            for (String name : List.of("Authorization", "Cookie", "X-Api-Key", "X-Tenant-Secret", "token")) {
                assertThat(headers.get(name)).as(name + " in " + show.body()).isEqualTo("***");
            }
            // the HTTP server drops an inbound Proxy-Authorization (hop-by-hop); the route's own may be parked, masked
            assertThat(headers.get("Proxy-Authorization")).as(show.body()).isIn(null, "***");
            views.put("CLI show #" + id, cli("show", String.valueOf(id)));
        }
        views.put("CLI list", cli("list"));
        views.put("webhook bodies", String.join("\n", hook.findAll(postRequestedFor(urlPathEqualTo("/hook"))).stream()
                .map(LoggedRequest::getBodyAsString).toList()));
        String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(scrape).contains("selfheal_giveups_total");
        views.put("Prometheus scrape", scrape);
        jar.stop(20);
        String output = jar.output();
        views.put("jar output (" + logFormat + ")", output);

        // each view shows what it hid, so the scan is not vacuous
        assertThat(output).contains("gave up").contains("***");
        assertThat(views.get("CLI show #" + ids.get(0)).toLowerCase()).contains("authorization: ***").contains("cookie: ***")
                .contains("x-api-key: ***").contains("access_token=***");
        assertThat(views.get("webhook bodies")).contains("access_token=***");
        if (logFormat.equals("json")) {
            assertThat(output.lines().filter(l -> l.startsWith("{")).count()).isPositive();
        }

        List<String> leaks = new ArrayList<>();
        views.forEach((view, text) -> SECRETS.forEach((what, secret) -> {
            int at = text.indexOf(secret);
            if (at >= 0) {
                leaks.add(view + " shows the " + what + ": ..." + text.substring(Math.max(0, at - 160),
                        Math.min(text.length(), at + secret.length() + 40)).replace('\n', ' ') + "...");
            }
        }));
        System.out.printf("secrets scan (%s logs): %d secrets x %d views, %d leaks%n", logFormat, SECRETS.size(),
                views.size(), leaks.size());
        views.forEach((view, text) -> System.out.printf("  %-28s %8d chars scanned, %3d masks (*** or Camel's xxxxxx)%n",
                view, text.length(), count(text, "***") + count(text, "xxxxxx")));
        System.out.println("  endpoint lines in the scrape: " + scrape.lines().filter(l -> l.contains("/orders")).limit(3).toList());
        assertThat(leaks).as("secrets shown").isEmpty();

        accessIsGuarded();
    }

    /** The HTTP API: 401 without the token and with a wrong one in every form; the token never comes back. */
    private void accessIsGuarded() throws Exception {
        // the jar was stopped: start it again on the same store for the access checks
        jar = ChildJar.start(dir, dir.resolve("jar-2.log"), List.of("-Xmx256m"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> api("GET", "/selfheal/parked").statusCode() == 401);
        List<HttpResponse<String>> refused = List.of(
                api("GET", "/selfheal/parked"),
                api("GET", "/selfheal/parked", "Authorization", "Bearer"),
                api("GET", "/selfheal/parked", "Authorization", "Bearer "),
                api("GET", "/selfheal/parked", "Authorization", "Bearer " + API_TOKEN.substring(0, API_TOKEN.length() - 1)),
                api("GET", "/selfheal/parked", "Authorization", "Bearer " + API_TOKEN + "x"),
                api("GET", "/selfheal/parked", "Authorization", "Bearer " + API_TOKEN.toUpperCase()),
                api("GET", "/selfheal/parked", "Authorization", "Basic " + API_TOKEN),
                api("GET", "/selfheal/parked", "Authorization", API_TOKEN),
                api("GET", "/selfheal/parked", "X-Selfheal-Token", "wrong"),
                api("GET", "/selfheal/parked?token=" + API_TOKEN + "&api-token=" + API_TOKEN),
                api("GET", "/selfheal/parked/1"),
                api("POST", "/selfheal/parked/1/replay", "Authorization", "Bearer wrong"),
                api("POST", "/selfheal/parked/1/discard?reason=x", "X-Selfheal-Token", ""),
                api("POST", "/selfheal/parked/replay?upstream=ledger"));
        for (HttpResponse<String> r : refused) {
            assertThat(r.statusCode()).as(r.request().uri() + " " + r.request().headers().map()).isEqualTo(401);
            assertThat(r.body()).doesNotContain("order").doesNotContain(API_TOKEN);
            assertThat(r.headers().map().toString()).doesNotContain(API_TOKEN);
        }
        HttpResponse<String> ok = api("GET", "/selfheal/parked", "Authorization", "bearer " + API_TOKEN);
        assertThat(ok.statusCode()).as("the scheme is case-insensitive").isEqualTo(200);
        assertThat(ok.body()).doesNotContain(API_TOKEN);
        assertThat(ok.headers().map().toString()).doesNotContain(API_TOKEN);
        jar.stop(20);
        assertThat(jar.output()).doesNotContain(API_TOKEN);
    }

    private void writeJobDirectory(String logFormat) throws IOException {
        Files.createDirectories(dir.resolve("config"));
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("config/application.properties"), """
                camel.server.enabled = true
                camel.server.host = 127.0.0.1
                camel.server.port = %d
                camel.metrics.enabled = true
                camel.management.enabled = true
                camel.management.host = 127.0.0.1
                camel.management.port = %d
                camel.management.metrics-enabled = true
                selfheal.log.format = %s
                selfheal.defaults.max-attempts = 2
                selfheal.defaults.initial-delay = 20ms
                selfheal.defaults.max-delay = 100ms
                selfheal.parked.api-token = %s
                selfheal.parked.sensitive-headers = X-Tenant-Secret
                selfheal.parked.max-body-size = 4KB
                selfheal.parked.replay-poll-interval = 0s
                selfheal.alert.sinks = log,webhook
                selfheal.alert.group-window = 0s
                selfheal.alert.webhook.url = http://127.0.0.1:%d/hook
                selfheal.alert.webhook.header.Authorization = Bearer %s
                """.formatted(serverPort, managementPort, logFormat, API_TOKEN, hook.getPort(),
                SECRETS.get("the webhook's own Authorization")));
        Files.writeString(dir.resolve("routes/orders.yaml"), """
                - route:
                    id: secret-orders
                    routeConfigurationId: self-healing
                    from:
                      uri: "platform-http:/in"
                      steps:
                        - setProperty: { name: order, simple: "${bodyAs(String)}" }
                        - removeHeaders: { pattern: "CamelHttp*" }
                        - setHeader: { name: Proxy-Authorization, constant: "Basic %5$s" }
                        - to: "http://127.0.0.1:%1$d/login?httpMethod=POST"
                        - setBody: { simple: "${exchangeProperty.order}" }
                        - choice:
                            when:
                              - simple: "${exchangeProperty.order} contains 'userinfo'"
                                steps:
                                  - to: "http://bob:%2$s@127.0.0.1:%1$d/orders?httpMethod=POST&access_token=%3$s"
                            otherwise:
                              steps:
                                - to: "http://127.0.0.1:%1$d/orders?httpMethod=POST&authMethod=Basic&authUsername=bob&authPassword=%2$s&access_token=%3$s&apiKey=%4$s"
                """.formatted(upstream.getPort(), SECRETS.get("password in the upstream URL"),
                SECRETS.get("access_token in the upstream query"), SECRETS.get("apiKey in the upstream query"),
                SECRETS.get("Proxy-Authorization header")));
    }

    private HttpResponse<String> order(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serverPort + "/in?token="
                        + SECRETS.get("inbound query token")))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + SECRETS.get("Authorization header"))
                .header("Proxy-Authorization", "Basic " + SECRETS.get("Proxy-Authorization header"))
                .header("Cookie", "sid=" + SECRETS.get("Cookie header"))
                .header("X-Api-Key", SECRETS.get("X-Api-Key header"))
                .header("X-Tenant-Secret", SECRETS.get("configured header X-Tenant-Secret"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> api(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serverPort + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("no answer from the jar: " + e, e);
        }
    }

    private static int count(String text, String fragment) {
        int n = 0;
        for (int i = text.indexOf(fragment); i >= 0; i = text.indexOf(fragment, i + 1)) {
            n++;
        }
        return n;
    }

    /** The parked CLI of the same jar, in the same directory (same configuration). */
    private String cli(String... args) throws Exception {
        Path out = dir.resolve("cli-" + UUID.randomUUID() + ".log");
        List<String> all = new ArrayList<>(List.of("parked"));
        all.addAll(List.of(args));
        ChildJar c = ChildJar.start(dir, out, List.of("-Xmx128m"), all.toArray(new String[0]));
        assertThat(c.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(c.process().exitValue()).as(c.output()).isZero();
        return c.output();
    }
}
