package io.selfheal.camel.escalation;

import io.selfheal.camel.AttemptListener;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.testing.LogCapture;
import io.selfheal.testing.TestContexts;


import com.github.tomakehurst.wiremock.WireMockServer;
import io.selfheal.escalation.GiveUp;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Secrets in the core's own output. Routes whose URLs carry {@code user:password@} and secret query parameters, and
 * requests with Authorization, Proxy-Authorization, Cookie and X-Api-Key headers, fail and give up against a real
 * server (some of whose error bodies echo what they were sent, as real APIs do), against a closed port, and in the
 * route's own code. Every log event of the run is captured (with its logging context); no secret value appears in an
 * attempt line, a give-up line, the GiveUp JSON or summary, or anywhere else in the log.
 */
class SecretsInOutputTest {
    static final String PASSWORD = "Hunter2-Pa55w0rd";
    static final String TOKEN = "tok9f8e7d6c5b4a";
    static final String API_KEY = "ak1234567890abcdef";
    static final String ACCESS_TOKEN = "at0abcdef123456";
    static final String CLIENT_SECRET = "cs0zyxwvu987654";
    static final String BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlMDE";
    static final String SESSION = "sess0a1b2c3d4e5f";
    static final String X_API_KEY = "xak55aa66bb77cc";
    static final String PROXY_CREDENTIALS = Base64.getEncoder().encodeToString("proxy:Pr0xyPa55".getBytes(StandardCharsets.UTF_8));
    static final String BASIC_CREDENTIALS = Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    /** Every secret the run uses, by what it is. */
    static final Map<String, String> SECRETS = new LinkedHashMap<>();

    static {
        SECRETS.put("password in user-info", PASSWORD);
        SECRETS.put("token query parameter", TOKEN);
        SECRETS.put("api_key query parameter", API_KEY);
        SECRETS.put("access_token query parameter", ACCESS_TOKEN);
        SECRETS.put("client_secret query parameter", CLIENT_SECRET);
        SECRETS.put("bearer token", BEARER);
        SECRETS.put("session cookie", SESSION);
        SECRETS.put("X-Api-Key", X_API_KEY);
        SECRETS.put("Proxy-Authorization credentials", PROXY_CREDENTIALS);
        SECRETS.put("user-info as Basic credentials", BASIC_CREDENTIALS);
        SECRETS.put("the proxy password", "Pr0xyPa55");
    }

    private static WireMockServer wm;
    private static CamelContext ctx;
    private static LogCapture log;
    private static final List<GiveUp> giveUps = new CopyOnWriteArrayList<>();
    private static final Map<String, Exchange> results = new LinkedHashMap<>();

    @BeforeAll
    static void run() throws Exception {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        // plain failures, and failures whose bodies echo the credentials back (labelled, as JSON, and as a query echo)
        wm.stubFor(any(urlPathEqualTo("/userinfo")).willReturn(aResponse().withStatus(500).withBody("internal error")));
        wm.stubFor(any(urlPathEqualTo("/query")).willReturn(aResponse().withStatus(503)
                .withBody("unavailable for {{request.url}}").withTransformers("response-template")));
        wm.stubFor(any(urlPathEqualTo("/headers")).willReturn(aResponse().withStatus(401)
                .withBody("denied: Authorization: {{request.headers.Authorization}}, Cookie: {{request.headers.Cookie}}, "
                        + "X-Api-Key: {{request.headers.X-Api-Key}}, Proxy-Authorization: {{request.headers.Proxy-Authorization}}")
                .withTransformers("response-template")));
        wm.stubFor(any(urlPathEqualTo("/json-echo")).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"invalid credentials\",\"api_key\":\"{{request.headers.X-Api-Key}}\","
                        + "\"token\": \"{{request.query.token}}\",\"password\":\"" + PASSWORD + "\","
                        + "\"cookie\":\"{{request.headers.Cookie}}\"}")
                .withTransformers("response-template")));
        wm.stubFor(any(urlPathEqualTo("/xml-echo")).willReturn(aResponse().withStatus(502)
                .withHeader("Content-Type", "application/xml")
                .withBody("<fault><reason>bad credentials</reason><apiKey>{{request.headers.X-Api-Key}}</apiKey>"
                        + "<password>" + PASSWORD + "</password><accessToken>{{request.query.access_token}}</accessToken></fault>")
                .withTransformers("response-template")));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String wmBase = "http://127.0.0.1:" + wm.port();
        String secretQuery = "token=" + TOKEN + "&api_key=" + API_KEY + "&access_token=" + ACCESS_TOKEN
                + "&client_secret=" + CLIENT_SECRET;

        log = LogCapture.install();
        ctx = TestContexts.create(TestContexts.scaled("selfheal.defaults.max-attempts", "2"));
        SelfhealRuntime.of(ctx).addListener(new AttemptListener() {
            @Override
            public void onGiveUp(Exchange exchange, GiveUp giveUp) {
                giveUps.add(giveUp);
            }
        });
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:userinfo").routeId("userinfo").routeConfigurationId("self-healing")
                        .to("http://alice:" + PASSWORD + "@127.0.0.1:" + wm.port() + "/userinfo?httpMethod=GET");
                from("direct:query").routeId("query").routeConfigurationId("self-healing")
                        .to(wmBase + "/query?httpMethod=GET&" + secretQuery);
                from("direct:headers").routeId("headers").routeConfigurationId("self-healing")
                        .process(SecretsInOutputTest::withSecretHeaders)
                        .to(wmBase + "/headers?httpMethod=POST");
                from("direct:json-echo").routeId("json-echo").routeConfigurationId("self-healing")
                        .process(SecretsInOutputTest::withSecretHeaders)
                        .to(wmBase + "/json-echo?httpMethod=GET&token=" + TOKEN);
                from("direct:xml-echo").routeId("xml-echo").routeConfigurationId("self-healing")
                        .process(SecretsInOutputTest::withSecretHeaders)
                        .to(wmBase + "/xml-echo?httpMethod=GET&" + secretQuery);
                from("direct:refused").routeId("refused").routeConfigurationId("self-healing")
                        .process(SecretsInOutputTest::withSecretHeaders)
                        .to("http://alice:" + PASSWORD + "@127.0.0.1:" + closedPort + "/refused?httpMethod=GET&" + secretQuery);
                from("direct:own-code").routeId("own-code").routeConfigurationId("self-healing")
                        .process(e -> {
                            throw new IllegalStateException("call to https://alice:" + PASSWORD
                                    + "@api.example/v1?token=" + TOKEN + "&api_key=" + API_KEY + " failed; sent Authorization: Bearer "
                                    + BEARER + ", Cookie: session=" + SESSION + "; X-Api-Key=" + X_API_KEY
                                    + "; Proxy-Authorization: Basic " + PROXY_CREDENTIALS);
                        });
            }
        });
        ctx.start();
        for (String route : List.of("userinfo", "query", "headers", "json-echo", "xml-echo", "refused", "own-code")) {
            results.put(route, ctx.createProducerTemplate().request("direct:" + route, e -> e.getIn().setBody("payload")));
        }
        // escalation may log after the exchange returns (alerts are asynchronous): wait for every give-up line
        await().atMost(Duration.ofSeconds(10)).until(() -> giveUpLines().size() >= results.size());
    }

    @AfterAll
    static void stop() throws Exception {
        if (log != null) {
            log.close();
        }
        if (ctx != null) {
            ctx.stop();
        }
        wm.stop();
    }

    static void withSecretHeaders(Exchange e) {
        e.getIn().setHeader("Authorization", "Bearer " + BEARER);
        e.getIn().setHeader("Proxy-Authorization", "Basic " + PROXY_CREDENTIALS);
        e.getIn().setHeader("Cookie", "session=" + SESSION + "; theme=dark");
        e.getIn().setHeader("X-Api-Key", X_API_KEY);
    }

    @Test
    void everyRouteFailedAndGaveUp() {
        results.forEach((route, out) ->
                assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).as(route).isNotNull());
        assertThat(giveUps).hasSize(results.size());
        // the upstream really received the secrets, so the run used each of them
        assertThat(wm.getAllServeEvents()).anySatisfy(e -> assertThat(e.getRequest().getHeader("X-Api-Key")).isEqualTo(X_API_KEY));
        assertThat(wm.getAllServeEvents()).anySatisfy(e -> assertThat(e.getRequest().getUrl()).contains(TOKEN));
    }

    @Test
    void attemptLinesCarryNoSecret() {
        List<String> attempts = texts("io.selfheal.attempts", null);
        assertThat(attempts).as("one line per failed attempt").hasSizeGreaterThanOrEqualTo(results.size());
        assertNoSecret("attempt lines", attempts);
    }

    @Test
    void giveUpLinesCarryNoSecret() {
        assertThat(giveUpLines()).hasSize(results.size());
        // everything the escalation and alert loggers wrote: the give-up line (ERROR, or WARN before parking), the
        // GiveUp JSON in it or in its logging context, parking and alert lines
        List<String> escalation = new ArrayList<>(texts("io.selfheal.escalation", null));
        escalation.addAll(texts("io.selfheal.alert", null));
        assertNoSecret("give-up, escalation and alert lines", escalation);
    }

    @Test
    void parkedViewsCarryNoSecret() {
        io.selfheal.escalation.ParkedStore store = EscalationServices.of(ctx).store();
        List<String> views = new ArrayList<>();
        for (io.selfheal.escalation.ParkedMessage listed : store.list(null, null, 100)) {
            io.selfheal.escalation.ParkedMessage m = store.find(listed.id()).orElseThrow();
            // the replay input, and the message at failure (the response headers and the echoing error body)
            views.add(ParkedViews.show(m, store.config().redactor()));
            views.add(String.valueOf(ParkedViews.detailMap(m, store.config().redactor())));
        }
        assertThat(views).as("two views per parked record").hasSize(2 * results.size());
        assertNoSecret("parked views (show and the HTTP API's detail)", views);
    }

    /** The one line per give-up that the escalation endpoint writes. */
    private static List<String> giveUpLines() {
        List<String> out = new ArrayList<>();
        for (String t : texts("io.selfheal.escalation", null)) {
            if (t.startsWith("gave up")) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void giveUpJsonAndSummaryCarryNoSecret() {
        List<String> rendered = new ArrayList<>();
        for (GiveUp g : giveUps) {
            rendered.add(g.toJson());
            rendered.add(g.summary());
        }
        assertNoSecret("GiveUp JSON and summary", rendered);
    }

    @Test
    void nothingElseInTheLogCarriesASecret() {
        List<String> all = new ArrayList<>();
        for (LogCapture.Line l : log.lines()) {
            // the test's own server is not the product: WireMock and Jetty may log what they were sent
            if (!l.logger().startsWith("wiremock") && !l.logger().startsWith("org.eclipse.jetty")
                    && !l.logger().startsWith("com.github.tomakehurst")) {
                all.add(l.logger() + " " + l.level() + " " + l.text());
            }
        }
        assertThat(all).isNotEmpty();
        assertNoSecret("the whole log", all);
    }

    private static List<String> texts(String logger, Level level) {
        List<String> out = new ArrayList<>();
        for (LogCapture.Line l : log.lines()) {
            if (l.logger().equals(logger) && (level == null || l.level() == level)) {
                out.add(l.text());
            }
        }
        return out;
    }

    private static void assertNoSecret(String where, List<String> texts) {
        List<String> leaks = new ArrayList<>();
        for (String text : texts) {
            SECRETS.forEach((what, secret) -> {
                for (String form : List.of(secret, URLEncoder.encode(secret, StandardCharsets.UTF_8))) {
                    if (text.contains(form)) {
                        leaks.add(what + " in: " + text);
                    }
                }
            });
        }
        assertThat(leaks).as("secrets in " + where).isEmpty();
    }
}
