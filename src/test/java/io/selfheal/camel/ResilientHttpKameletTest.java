package io.selfheal.camel;

import io.selfheal.testing.CallKeys;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import io.selfheal.camel.breaker.UpstreamDependencyPolicy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.selfheal.breaker.BreakerRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The resilient-http Kamelet, used as a step from YAML route files and from Java. */
class ResilientHttpKameletTest {
    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    private void startWithYaml(String location, Map<String, String> props) throws Exception {
        ctx = contexts.create(props);
        PluginHelper.getRoutesLoader(ctx).loadRoutes(ResourceHelper.resolveMandatoryResource(ctx, location));
        ctx.start();
    }

    private String base() {
        return "http://127.0.0.1:" + wm.getPort();
    }

    private BreakerRegistry breakers() {
        return SelfhealRuntime.of(ctx).breakers();
    }

    @Test
    void yamlRouteCallsThroughTheTemplateWithRetriesAndTheNamedUpstreamsBreaker() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/orders")).inScenario("s").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("2"));
        wm.stubFor(post(urlPathEqualTo("/orders")).inScenario("s").whenScenarioStateIs("2")
                .willReturn(aResponse().withStatus(502)).willSetStateTo("3"));
        wm.stubFor(post(urlPathEqualTo("/orders")).inScenario("s").whenScenarioStateIs("3")
                .willReturn(aResponse().withStatus(201).withBody("order 42")));
        startWithYaml("classpath:yaml/resilient-http-orders.yaml",
                TestContexts.withBreakers("orders.url", base()));

        Exchange out = ctx.createProducerTemplate().request("direct:post-order", e -> {
            e.getIn().setHeader("orderId", "42");
            e.getIn().setBody("{\"id\":42}");
        });
        assertThat(out.getException()).isNull();
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("posted: order 42");
        // the call was retried by the template's own self-healing clauses (the YAML route names none)
        List<LoggedRequest> calls = wm.findAll(postRequestedFor(urlPathEqualTo("/orders")));
        assertThat(calls).hasSize(3);
        assertThat(calls).allSatisfy(r -> {
            assertThat(r.queryParameter("channel").firstValue()).isEqualTo("web");
            assertThat(r.queryParameter("priority").firstValue()).isEqualTo("high");
            assertThat(r.getBodyAsString()).isEqualTo("{\"id\":42}");
        });
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(3);
        // the failures counted against the breaker of the upstream the template names
        assertThat(breakers().states()).containsOnlyKeys("orders");
        assertThat(breakers().forUpstream("orders").circuitBreaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(2);
        // the template's idempotencyKey expression is the business key: every attempt carried the same Idempotency-Key
        assertThat(out.getProperty(SelfhealProperties.IDEMPOTENCY_KEY)).isEqualTo("42");
        assertThat(calls).allSatisfy(r -> assertThat(r.getHeader("Idempotency-Key")).isEqualTo(CallKeys.of("42", r)));
        // retries are safe by default: the key lets the server deduplicate
        assertThat(out.getProperty(SelfhealProperties.IDEMPOTENT, Boolean.class)).isTrue();
        // the calling route's later steps are not attributed to the template's upstream
        assertThat(out.getProperty("afterCall", String.class)).isNullOrEmpty();
    }

    @Test
    void theTemplateOpensItsUpstreamsBreakerAndGivesUpWithBreakerOpen() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(500)));
        startWithYaml("classpath:yaml/resilient-http-orders.yaml", TestContexts.withBreakers(
                "orders.url", base(),
                "selfheal.upstream.orders.max-attempts", "3",
                "selfheal.upstream.orders.retry-after-max", "1s",
                "selfheal.breaker.orders.consecutive-failures", "3",
                "selfheal.breaker.orders.wait-in-open", "10s",
                "selfheal.breaker.orders.wait-in-open-max", "10s"));
        Exchange first = ctx.createProducerTemplate().request("direct:post-order", e -> e.getIn().setBody("a"));
        assertThat(first.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        assertThat(breakers().state("orders")).isEqualTo(State.OPEN);
        Exchange second = ctx.createProducerTemplate().request("direct:post-order", e -> e.getIn().setBody("b"));
        assertThat(second.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("BREAKER_OPEN");
        wm.verify(3, postRequestedFor(urlPathEqualTo("/orders")));
    }

    @Test
    void theShippedExampleRunsAgainstItsUpstreamWhenEnabled() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/inventory")).willReturn(aResponse().withStatus(200).withBody("[]")));
        startWithYaml("file:routes/example-resilient-http.yaml", TestContexts.withBreakers(
                "example.inventory.enabled", "true",
                "example.inventory.url", base() + "/inventory",
                "example.inventory.period", "100"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> wm.findAll(getRequestedFor(urlPathEqualTo("/inventory"))).size() >= 2);
        assertThat(ctx.getRoute("example-inventory-sync").getRoutePolicyList())
                .filteredOn(UpstreamDependencyPolicy.class::isInstance).hasSize(1);
        assertThat(breakers().states()).containsKey("inventory");
    }

    @Test
    void theJarsMainLoadsTheExampleFromRoutes() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/inventory")).willReturn(aResponse().withStatus(200).withBody("[]")));
        Main main = SelfhealMain.create();
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:routes/example-resilient-http.yaml");
        main.addOverrideProperty("example.inventory.enabled", "true");
        main.addOverrideProperty("example.inventory.url", base() + "/inventory");
        main.addOverrideProperty("example.inventory.period", "100");
        try {
            main.start();
            await().atMost(20, TimeUnit.SECONDS)
                    .until(() -> wm.findAll(getRequestedFor(urlPathEqualTo("/inventory"))).size() >= 1);
            assertThat(SelfhealRuntime.of(main.getCamelContext()).breakers().states()).containsKey("inventory");
        } finally {
            main.stop();
        }
    }

    @Test
    void theShippedExampleStaysOffByDefault() throws Exception {
        startWithYaml("file:routes/example-resilient-http.yaml", TestContexts.withBreakers());
        assertThat(ctx.getRouteController().getRouteStatus("example-inventory-sync").isStarted()).isFalse();
    }

    @Test
    void javaRoutesUseTheTemplateAsAStep() throws Exception {
        wm.stubFor(get(urlPathEqualTo("/items/7")).willReturn(aResponse().withStatus(200).withBody("item 7")));
        ctx = contexts.start(TestContexts.withBreakers(), new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:item").routeConfigurationId("self-healing")
                        .setProperty(SelfhealProperties.UPSTREAM, constant("caller-own"))
                        // ${...} in the url is evaluated per exchange
                        .kamelet("resilient-http?upstream=catalog&url=" + base() + "/items/${header.id}")
                        .setProperty("afterCall", exchangeProperty(SelfhealProperties.UPSTREAM));
            }
        });
        Exchange out = ctx.createProducerTemplate().request("direct:item", e -> e.getIn().setHeader("id", "7"));
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("item 7");
        assertThat(out.getProperty(SelfhealProperties.IDEMPOTENT, Boolean.class)).isTrue();
        assertThat(out.getProperty(SelfhealProperties.IDEMPOTENCY_KEY)).isNull();
        // the caller's own upstream name is put back after the call
        assertThat(out.getProperty("afterCall")).isEqualTo("caller-own");
        assertThat(breakers().states()).containsKey("catalog");
    }

    @Test
    void yamlAndJavaRoutesCallItAsAKameletEndpointWithRetriesAndOneKey() throws Exception {
        wm.stubFor(post(urlPathEqualTo("/orders")).inScenario("s").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("ok"));
        wm.stubFor(post(urlPathEqualTo("/orders")).inScenario("s").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(201).withBody("booked")));
        ctx = contexts.create(TestContexts.withBreakers());
        io.selfheal.testing.YamlRoutes.load(ctx, """
                - route:
                    from:
                      uri: direct:yaml-order
                      steps:
                        - to: "kamelet:resilient-http?upstream=orders&url=RAW(%s/orders?channel=yaml)&method=POST&idempotencyKey=${header.orderId}"
                """.formatted(base()));
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:java-order")
                        .to("kamelet:resilient-http?upstream=orders&method=POST&url=" + base() + "/orders");
            }
        });
        ctx.start();

        Exchange yaml = ctx.createProducerTemplate().request("direct:yaml-order", e -> {
            e.getIn().setHeader("orderId", "7");
            e.getIn().setBody("{\"id\":7}");
        });
        assertThat(yaml.getException()).isNull();
        assertThat(yaml.getMessage().getBody(String.class)).isEqualTo("booked");
        assertThat(yaml.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        List<LoggedRequest> calls = wm.findAll(postRequestedFor(urlPathEqualTo("/orders")));
        assertThat(calls).hasSize(2).allSatisfy(r -> {
            assertThat(r.queryParameter("channel").firstValue()).isEqualTo("yaml");
            assertThat(r.getHeader("Idempotency-Key")).isEqualTo(CallKeys.of("7", r));
        });

        Exchange java = ctx.createProducerTemplate().request("direct:java-order", e -> e.getIn().setBody("{}"));
        assertThat(java.getException()).isNull();
        assertThat(java.getMessage().getBody(String.class)).isEqualTo("booked");
        assertThat(wm.findAll(postRequestedFor(urlPathEqualTo("/orders")))).hasSize(3);
        assertThat(breakers().states()).containsOnlyKeys("orders");
    }

    @Test
    void anInvalidParameterStopsStartUpNamingIt() throws Exception {
        ctx = contexts.create(TestContexts.withBreakers());
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:bad").kamelet("resilient-http?upstream=x&url=http://127.0.0.1:1/&method=FETCH");
            }
        });
        assertThatThrownBy(ctx::start).hasStackTraceContaining("invalid value 'FETCH' for parameter method");
    }
}
