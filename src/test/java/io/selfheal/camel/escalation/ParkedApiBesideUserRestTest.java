package io.selfheal.camel.escalation;

import io.selfheal.testing.TestContexts;
import io.selfheal.camel.SelfhealMain;
import io.selfheal.testing.EscalationTests;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.spi.RestConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's own REST DSL and Selfheal's parked API, served side by side by the jar's HTTP server. Selfheal does not
 * touch the one REST configuration a CamelContext has: the user's context path and binding mode (set in
 * {@code camel.rest.*} or in {@code restConfiguration()}) apply to the user's services only, and the parked API stays
 * at {@code /selfheal/parked} with its own JSON answers.
 */
class ParkedApiBesideUserRestTest {
    static final String TOKEN = "test-token-" + UUID.randomUUID();

    /** How the user configures their REST DSL. */
    enum UserRestConfiguration {
        NONE, PROPERTIES, ROUTES
    }

    private Main main;
    private int port;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (main != null) {
            main.stop();
        }
    }

    private void start(UserRestConfiguration how) throws Exception {
        port = EscalationTests.freePort();
        main = SelfhealMain.create();
        Map<String, String> props = TestContexts.scaled(EscalationTests.h2Store(),
                "camel.server.enabled", "true", "camel.server.port", String.valueOf(port),
                "camel.server.host", "127.0.0.1",
                "selfheal.parked.api-token", TOKEN);
        props.forEach(main::addOverrideProperty);
        if (how == UserRestConfiguration.PROPERTIES) {
            main.addOverrideProperty("camel.rest.context-path", "/api");
            main.addOverrideProperty("camel.rest.binding-mode", "json");
        }
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                if (how == UserRestConfiguration.ROUTES) {
                    restConfiguration().contextPath("/api").bindingMode(RestBindingMode.json);
                }
                rest("/orders").get().routeId("user-orders").to("direct:user-orders");
                from("direct:user-orders").setBody(constant("the user's orders"));
            }
        });
        main.start();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @EnumSource(UserRestConfiguration.class)
    void theUsersRestServicesAndTheParkedApiAreBothServed(UserRestConfiguration how) throws Exception {
        start(how);
        String userBase = how == UserRestConfiguration.NONE ? "" : "/api";

        HttpResponse<String> orders = get(userBase + "/orders");
        assertThat(orders.statusCode()).as(orders.body()).isEqualTo(200);
        assertThat(orders.body()).contains("the user's orders");

        HttpResponse<String> parked = get("/selfheal/parked", "Authorization", "Bearer " + TOKEN);
        assertThat(parked.statusCode()).as(parked.body()).isEqualTo(200);
        assertThat(parked.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(parked.body()).isEqualTo("[]");
        assertThat(get("/selfheal/parked").statusCode()).isEqualTo(401);
        if (how != UserRestConfiguration.NONE) {
            // the user's context path is theirs: the parked API is not moved under it
            assertThat(get("/api/selfheal/parked", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
        }

        // the user's REST configuration is as they left it: Selfheal set nothing in it
        RestConfiguration rest = main.getCamelContext().getRestConfiguration();
        assertThat(rest.getComponent()).isNull();
        assertThat(rest.getContextPath()).isEqualTo(how == UserRestConfiguration.NONE ? null : "/api");
        assertThat(rest.getBindingMode().name()).isEqualTo(how == UserRestConfiguration.NONE ? "off" : "json");
    }
}
