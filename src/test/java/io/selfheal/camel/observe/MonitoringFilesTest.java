package io.selfheal.camel.observe;

import io.selfheal.camel.SelfhealMain;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped monitoring files against the running jar's configuration: readiness follows the breakers (liveness does
 * not), promtool accepts the alert rules, and every metric name the rules and the dashboard use is in a real scrape.
 */
class MonitoringFilesTest {
    private static final Path RULES = Path.of("config/prometheus/selfheal-rules.yml");
    private static final Path DASHBOARD = Path.of("config/grafana/selfheal-dashboard.json");

    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock();
    private Main main;
    private int managementPort;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            managementPort = s.getLocalPort();
        }
        main = SelfhealMain.create();
        main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:no-routes-here/*.yaml");
        main.addOverrideProperty("camel.metrics.enabled", "true");
        main.addOverrideProperty("camel.management.enabled", "true");
        main.addOverrideProperty("camel.management.host", "127.0.0.1");
        main.addOverrideProperty("camel.management.port", String.valueOf(managementPort));
        main.addOverrideProperty("camel.management.metricsEnabled", "true");
        main.addOverrideProperty("camel.management.healthCheckEnabled", "true");
        TestContexts.withBreakers("selfheal.breaker.catalog.consecutive-failures", "3",
                "selfheal.breaker.catalog.wait-in-open", "500ms",
                "selfheal.breaker.catalog.wait-in-open-max", "500ms",
                "selfheal.defaults.max-attempts", "3",
                "selfheal.parked.url", "jdbc:h2:mem:monitoring-parked;DB_CLOSE_DELAY=-1",
                "selfheal.idempotency.url", "jdbc:h2:mem:monitoring-keys;DB_CLOSE_DELAY=-1").forEach(main::addOverrideProperty);
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:call").routeId("catalog-call").routeConfigurationId("self-healing")
                        .setProperty(SelfhealProperties.UPSTREAM, constant("catalog"))
                        .to("http://127.0.0.1:" + wm.getPort() + "/item?httpMethod=GET");
                // a scheduled job (one run, two records, no upstream call) for the job meters
                from("timer:nightly?repeatCount=1&delay=10").routeId("nightly").routeConfigurationId("self-healing")
                        .setBody(constant("a\nb"))
                        .split(body().tokenize("\n"))
                            .setProperty("record", body())
                        .end();
            }
        });
        main.start();
    }

    @AfterEach
    void stop() {
        if (main != null) {
            main.stop();
        }
    }

    private HttpResponse<String> fetch(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readinessFollowsTheBreakersAndLivenessDoesNot() throws Exception {
        ProducerTemplate template = main.getCamelContext().createProducerTemplate();
        wm.stubFor(get(urlEqualTo("/item")).willReturn(aResponse().withStatus(200)));
        template.request("direct:call", e -> { });
        assertThat(fetch("/observe/health/ready").statusCode()).isEqualTo(200);

        wm.stubFor(get(urlEqualTo("/item")).willReturn(aResponse().withStatus(503)));
        template.request("direct:call", e -> { });
        assertThat(SelfhealRuntime.of(main.getCamelContext()).breakers().state("catalog").name()).isEqualTo("OPEN");
        HttpResponse<String> ready = fetch("/observe/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(fetch("/observe/health/live").statusCode()).isEqualTo(200);

        // the upstream recovers; a probe closes the breaker and readiness comes back
        wm.stubFor(get(urlEqualTo("/item")).willReturn(aResponse().withStatus(200)));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            template.request("direct:call", e -> { });
            return fetch("/observe/health/ready").statusCode() == 200;
        });
        assertThat(fetch("/observe/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void promtoolAcceptsTheRulesAndEveryMetricTheyUseIsScraped() throws Exception {
        Process promtool = new ProcessBuilder("promtool", "check", "rules", RULES.toString()).redirectErrorStream(true).start();
        assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(promtool.getInputStream().readAllBytes());
        assertThat(promtool.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS");

        // a run that feeds every meter: success, retries, a give-up (parked), the breaker opening and closing
        ProducerTemplate template = main.getCamelContext().createProducerTemplate();
        wm.stubFor(get(urlEqualTo("/item")).willReturn(aResponse().withStatus(503)));
        template.request("direct:call", e -> { });
        wm.stubFor(get(urlEqualTo("/item")).willReturn(aResponse().withStatus(200)));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            template.request("direct:call", e -> { });
            return "CLOSED".equals(SelfhealRuntime.of(main.getCamelContext()).breakers().state("catalog").name());
        });
        // and the job's run has ended
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> fetch("/observe/metrics").body().contains("selfheal_job_runs_total{"));
        String scrape = fetch("/observe/metrics").body();

        Set<String> used = new TreeSet<>();
        used.addAll(metricNames(Files.readString(RULES)));
        used.addAll(metricNames(Files.readString(DASHBOARD)));
        assertThat(used).contains("selfheal_attempts_total", "selfheal_giveups_total", "selfheal_breaker_state",
                "selfheal_parked_messages", "selfheal_deliveries_attempts_bucket", "selfheal_job_runs_total",
                "selfheal_job_records_total", "selfheal_job_run_duration_seconds_sum");
        for (String name : used) {
            assertThat(scrape).as("metric %s used by the rules or the dashboard", name)
                    .containsPattern("(?m)^" + Pattern.quote(name) + "[{ ]");
        }
    }

    private static Set<String> metricNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\bselfheal_[a-z_]+").matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
