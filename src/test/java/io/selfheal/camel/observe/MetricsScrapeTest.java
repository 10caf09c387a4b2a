package io.selfheal.camel.observe;

import io.selfheal.camel.SelfhealMain;
import io.selfheal.camel.SelfhealProperties;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * After a scripted run against WireMock (3 messages succeed first time, 2 on the third attempt, 1 gives up as
 * PERMANENT, 1 after max-attempts), the jar's Prometheus endpoint returns the exact counts.
 */
class MetricsScrapeTest {
    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock();
    private Main main;
    private int managementPort;

    @BeforeEach
    void start() throws Exception {
        for (String ok : new String[] {"/a", "/b", "/c"}) {
            wm.stubFor(get(urlEqualTo(ok)).willReturn(aResponse().withStatus(200)));
        }
        for (String third : new String[] {"/d", "/e"}) {
            wm.stubFor(get(urlEqualTo(third)).inScenario(third).whenScenarioStateIs(STARTED)
                    .willReturn(aResponse().withStatus(503)).willSetStateTo("2"));
            wm.stubFor(get(urlEqualTo(third)).inScenario(third).whenScenarioStateIs("2")
                    .willReturn(aResponse().withStatus(502)).willSetStateTo("3"));
            wm.stubFor(get(urlEqualTo(third)).inScenario(third).whenScenarioStateIs("3")
                    .willReturn(aResponse().withStatus(200)));
        }
        wm.stubFor(get(urlEqualTo("/bad")).willReturn(aResponse().withStatus(400)));
        wm.stubFor(get(urlEqualTo("/down")).willReturn(aResponse().withStatus(503)));

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
        TestContexts.SCALED.forEach(main::addOverrideProperty);
        main.addOverrideProperty("selfheal.defaults.max-attempts", "4");
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:call").routeId("scripted").routeConfigurationId("self-healing")
                        .setProperty(SelfhealProperties.UPSTREAM, constant("catalog"))
                        .toD("http://127.0.0.1:" + wm.getPort() + "${header.path}?httpMethod=GET");
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

    @Test
    void scrapeShowsExactCounts() throws Exception {
        ProducerTemplate template = main.getCamelContext().createProducerTemplate();
        for (String path : new String[] {"/a", "/b", "/c", "/d", "/e", "/bad", "/down"}) {
            template.request("direct:call", e -> e.getIn().setHeader("path", path));
        }
        String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();

        // first attempts: a, b, c succeed; d, e and down fail TRANSIENT; bad fails PERMANENT
        assertThat(value(scrape, "selfheal_attempts_total", "kind=\"first\"", "outcome=\"success\"")).isEqualTo(3);
        assertThat(value(scrape, "selfheal_attempts_total", "kind=\"first\"", "outcome=\"TRANSIENT\"")).isEqualTo(3);
        assertThat(value(scrape, "selfheal_attempts_total", "kind=\"first\"", "outcome=\"PERMANENT\"")).isEqualTo(1);
        // retries: d and e fail once more (502) then succeed on the third attempt; down fails 3 more times
        assertThat(value(scrape, "selfheal_attempts_total", "kind=\"retry\"", "outcome=\"success\"")).isEqualTo(2);
        assertThat(value(scrape, "selfheal_attempts_total", "kind=\"retry\"", "outcome=\"TRANSIENT\"")).isEqualTo(2 + 3);
        assertThat(value(scrape, "selfheal_retries_total", "upstream=\"catalog\"")).isEqualTo(2 * 2 + 3);
        // deliveries by attempt: three on the 1st, two on the 3rd
        assertThat(value(scrape, "selfheal_deliveries_attempts_count", "upstream=\"catalog\"")).isEqualTo(5);
        assertThat(value(scrape, "selfheal_deliveries_attempts_sum", "upstream=\"catalog\"")).isEqualTo(3 * 1 + 2 * 3);
        assertThat(value(scrape, "selfheal_deliveries_attempts_bucket", "le=\"1.0\"")).isEqualTo(3);
        assertThat(value(scrape, "selfheal_deliveries_attempts_bucket", "le=\"2.0\"")).isEqualTo(3);
        assertThat(value(scrape, "selfheal_deliveries_attempts_bucket", "le=\"3.0\"")).isEqualTo(5);
        // give-ups by reason
        assertThat(value(scrape, "selfheal_giveups_total", "reason=\"PERMANENT\"")).isEqualTo(1);
        assertThat(value(scrape, "selfheal_giveups_total", "reason=\"ATTEMPTS\"")).isEqualTo(1);
        // waiting: one wait per retry, all from the backoff
        assertThat(value(scrape, "selfheal_wait_seconds_count", "source=\"backoff\"")).isEqualTo(7);
    }

    /** The value of the one series of {@code name} whose labels contain every fragment. */
    static double value(String scrape, String name, String... labelFragments) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\}\\s+(\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(scrape);
        double sum = 0;
        int matches = 0;
        while (m.find()) {
            boolean all = true;
            for (String f : labelFragments) {
                all &= m.group(1).contains(f);
            }
            if (all) {
                sum += Double.parseDouble(m.group(2));
                matches++;
            }
        }
        assertThat(matches).as("series %s with %s in\n%s", name, String.join(",", labelFragments), scrape).isPositive();
        return sum;
    }
}
