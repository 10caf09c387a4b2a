package io.selfheal.camel;

import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.selfheal.classify.ClassificationRules;
import io.selfheal.classify.FailureClass;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/** YAML and Java DSL routes inherit the same configuration; the README's Java extension examples run here. */
class RouteInheritanceTest {
    @RegisterExtension
    final WireMockExtension wm = TestContexts.localWireMock();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    @BeforeEach
    void start() {
        wm.stubFor(get(urlEqualTo("/stock")).inScenario("s").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(502)).willSetStateTo("ok"));
        wm.stubFor(get(urlEqualTo("/stock")).inScenario("s").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody("42")));
    }

    @Test
    void yamlRouteLoadedFromAFileInheritsSelfHealing() throws Exception {
        ctx = contexts.create(TestContexts.scaled("wiremock.port", String.valueOf(wm.getPort())));
        PluginHelper.getRoutesLoader(ctx).loadRoutes(
                ResourceHelper.resolveMandatoryResource(ctx, "classpath:routes/inherits-self-healing.yaml"));
        ctx.start();
        Exchange out = ctx.createProducerTemplate().request("direct:yaml-orders", e -> { });
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("42");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        assertThat(out.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("TRANSIENT");
        wm.verify(2, getRequestedFor(urlEqualTo("/stock")));
    }

    @Test
    void javaRouteInheritsSelfHealing() throws Exception {
        ctx = contexts.start(TestContexts.SCALED, new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:java-orders").routeConfigurationId("self-healing")
                        .to("http://127.0.0.1:" + wm.getPort() + "/stock?httpMethod=GET");
            }
        });
        Exchange out = ctx.createProducerTemplate().request("direct:java-orders", e -> { });
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("42");
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
    }

    /** README example: a domain exception classified TRANSIENT in code. */
    static class InventoryBusyException extends RuntimeException {
        InventoryBusyException(String m) {
            super(m);
        }
    }

    @Test
    void aClassificationRuleAddedInCode() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ctx = contexts.create(TestContexts.SCALED);
        SelfhealRuntime.of(ctx).addClassificationRules(ClassificationRules.builder()
                .exception(InventoryBusyException.class, FailureClass.TRANSIENT).build());
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:busy").routeConfigurationId("self-healing").process(e -> {
                    if (calls.incrementAndGet() < 3) {
                        throw new InventoryBusyException("try later");
                    }
                });
            }
        });
        ctx.start();
        Exchange out = ctx.createProducerTemplate().request("direct:busy", e -> { });
        assertThat(calls).hasValue(3);
        assertThat(out.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        assertThat(out.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(3);
    }

    /** README example: a route configuration of one's own that keeps every self-healing clause and adds one. */
    static class AuditedHealing extends RouteConfigurationBuilder {
        @Override
        public void configuration() {
            RouteConfigurationDefinition rc = routeConfiguration("audited-healing");
            SelfHealingClauses.applyTo(rc);
            rc.onException(IllegalArgumentException.class).handled(true).setProperty("audited", constant(true))
                    .to("mock:audit");
        }
    }

    @Test
    void aRouteConfigurationOfOnesOwnKeepsTheSelfHealingClauses() throws Exception {
        ctx = contexts.create(TestContexts.SCALED);
        ctx.addRoutes(new AuditedHealing());
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:audited").routeConfigurationId("audited-healing")
                        .choice().when(body().isEqualTo("bad")).throwException(new IllegalArgumentException("bad input"))
                        .otherwise().to("http://127.0.0.1:" + wm.getPort() + "/stock?httpMethod=GET");
            }
        });
        ctx.start();
        Exchange healed = ctx.createProducerTemplate().request("direct:audited", e -> e.getIn().setBody("good"));
        assertThat(healed.getMessage().getBody(String.class)).isEqualTo("42");
        assertThat(healed.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).isEqualTo(2);
        Exchange audited = ctx.createProducerTemplate().request("direct:audited", e -> e.getIn().setBody("bad"));
        assertThat(audited.getProperty("audited", Boolean.class)).isTrue();
    }

    /** README example: a new template from the same pieces, a resilient SQL call. */
    @Test
    void aNewTemplateFromTheSamePieces() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ctx = contexts.create(TestContexts.SCALED);
        ctx.getRegistry().bind("flakyStore", (org.apache.camel.Processor) e -> {
            if (calls.incrementAndGet() == 1) {
                throw new java.sql.SQLTransientConnectionException("connection lost", "08006");
            }
            e.getMessage().setBody("stored");
        });
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                routeTemplate("resilient-store")
                        .templateParameter("name").templateParameter("processor")
                        .from("direct:{{name}}")
                        .routeConfigurationId(SelfHealingClauses.ROUTE_CONFIGURATION_ID)
                        .setProperty(SelfhealProperties.UPSTREAM, constant("store"))
                        .process("{{processor}}");
            }
        });
        org.apache.camel.builder.TemplatedRouteBuilder.builder(ctx, "resilient-store")
                .parameter("name", "store-orders").parameter("processor", "flakyStore").add();
        ctx.start();
        Exchange out = ctx.createProducerTemplate().request("direct:store-orders", e -> { });
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("stored");
        assertThat(calls).hasValue(2);
    }
}
