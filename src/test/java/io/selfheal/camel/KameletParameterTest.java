package io.selfheal.camel;

import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;
import io.selfheal.testing.YamlRoutes;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issues 8 and 15: a Kamelet used with a missing or misspelt parameter stops start-up naming the parameter and the
 * nearest valid one, for both Kamelets, as a {@code kamelet:} endpoint and as the kamelet EIP, from YAML and Java.
 */
class KameletParameterTest {
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();

    private Throwable yaml(String steps) throws Exception {
        CamelContext ctx = contexts.create(TestContexts.SCALED);
        YamlRoutes.load(ctx, """
                - route:
                    from:
                      uri: direct:in
                      steps:
                %s""".formatted(steps.indent(8)));
        return rootCause(ctx);
    }

    private Throwable java(String uri, boolean eip) throws Exception {
        CamelContext ctx = contexts.create(TestContexts.SCALED);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                if (eip) {
                    from("direct:in").kamelet(uri);
                } else {
                    from("direct:in").to("kamelet:" + uri);
                }
            }
        });
        return rootCause(ctx);
    }

    private static Throwable rootCause(CamelContext ctx) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(ctx::start);
        assertThat(t).as("start-up fails").isNotNull();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    @Test
    void aMisspeltResilientHttpParameterIsNamedWithTheNearestOneInEveryForm() throws Exception {
        String expected = "kamelet resilient-http: unknown parameter 'readTimout' (did you mean 'readTimeout'?)";
        assertThat(yaml("""
                - kamelet:
                    name: resilient-http
                    parameters: {upstream: orders, url: "http://127.0.0.1:9/orders", readTimout: 5s}
                """).getMessage()).startsWith(expected);
        assertThat(yaml("""
                - to: "kamelet:resilient-http?upstream=orders&url=http://127.0.0.1:9/orders&readTimout=5s"
                """).getMessage()).startsWith(expected);
        assertThat(java("resilient-http?upstream=orders&url=http://127.0.0.1:9/orders&readTimout=5s", true)
                .getMessage()).startsWith(expected);
        assertThat(java("resilient-http?upstream=orders&url=http://127.0.0.1:9/orders&readTimout=5s", false)
                .getMessage()).startsWith(expected);
    }

    @Test
    void aMissingResilientHttpParameterIsNamedInEveryForm() throws Exception {
        String expected = "kamelet resilient-http: missing required parameter 'url'";
        assertThat(yaml("""
                - kamelet:
                    name: resilient-http
                    parameters: {upstream: orders}
                """).getMessage()).isEqualTo(expected);
        assertThat(yaml("- to: \"kamelet:resilient-http?upstream=orders\"\n").getMessage()).isEqualTo(expected);
        assertThat(java("resilient-http?upstream=orders", true).getMessage()).isEqualTo(expected);
        assertThat(java("resilient-http?upstream=orders", false).getMessage()).isEqualTo(expected);
    }

    @Test
    void aMisspeltSinkParameterIsNamedWithTheNearestOneInEveryForm() throws Exception {
        String expected = "kamelet idempotent-jdbc-sink: unknown parameter 'tabel' (did you mean 'table'?)";
        assertThat(yaml("""
                - kamelet:
                    name: idempotent-jdbc-sink
                    parameters: {tabel: orders, keyColumns: id}
                """).getMessage()).startsWith(expected);
        assertThat(yaml("- to: \"kamelet:idempotent-jdbc-sink?tabel=orders&keyColumns=id\"\n").getMessage())
                .startsWith(expected);
        assertThat(java("idempotent-jdbc-sink?tabel=orders&keyColumns=id", true).getMessage()).startsWith(expected);
        assertThat(java("idempotent-jdbc-sink?tabel=orders&keyColumns=id", false).getMessage()).startsWith(expected);
        assertThat(java("idempotent-jdbc-sink?table=orders&keyColumns=id&createTabel=true", false).getMessage())
                .startsWith("kamelet idempotent-jdbc-sink: unknown parameter 'createTabel' (did you mean 'createTable'?)");
    }

    @Test
    void aMissingSinkParameterIsNamedInEveryForm() throws Exception {
        String expected = "kamelet idempotent-jdbc-sink: missing required parameter 'keyColumns'";
        assertThat(yaml("""
                - kamelet:
                    name: idempotent-jdbc-sink
                    parameters: {table: orders}
                """).getMessage()).isEqualTo(expected);
        assertThat(yaml("- to: \"kamelet:idempotent-jdbc-sink?table=orders\"\n").getMessage()).isEqualTo(expected);
        assertThat(java("idempotent-jdbc-sink?table=orders", true).getMessage()).isEqualTo(expected);
        assertThat(java("idempotent-jdbc-sink?table=orders", false).getMessage()).isEqualTo(expected);
    }

    @Test
    void aRouteAddedToARunningContextIsCheckedToo() throws Exception {
        CamelContext ctx = contexts.start(TestContexts.SCALED);
        assertThatThrownBy(() -> ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:late").to("kamelet:idempotent-jdbc-sink?table=orders&keyColums=id");
            }
        })).hasStackTraceContaining("kamelet idempotent-jdbc-sink: unknown parameter 'keyColums' (did you mean "
                + "'keyColumns'?)");
    }

    @Test
    void aBadValueIsNamed() throws Exception {
        assertThat(java("idempotent-jdbc-sink?table=orders&keyColumns=id&rowFrom=header", false).getMessage())
                .isEqualTo("kamelet idempotent-jdbc-sink: parameter rowFrom: 'header' is not one of body, headers, "
                        + "properties");
        assertThat(java("idempotent-jdbc-sink?table=orders&keyColumns=id&dataSource=#ordersDb", false).getMessage())
                .isEqualTo("kamelet idempotent-jdbc-sink: parameter dataSource: give the bean name without '#' "
                        + "('ordersDb')");
        assertThat(java("resilient-http?upstream=x&url=ftp://127.0.0.1/", true).getMessage())
                .isEqualTo("kamelet resilient-http: invalid value 'ftp://127.0.0.1/' for parameter url: must be an "
                        + "http:// or https:// URL");
    }

    @Test
    void noErrorHandlerModeIsRefusedSinceTheClausesWouldNotRun() throws Exception {
        CamelContext ctx = contexts.create(TestContexts.scaled("camel.component.kamelet.no-error-handler", "true"));
        ctx.getComponent("kamelet", org.apache.camel.component.kamelet.KameletComponent.class).setNoErrorHandler(true);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("kamelet:resilient-http?upstream=x&url=http://127.0.0.1:9/");
            }
        });
        assertThat(rootCause(ctx).getMessage()).isEqualTo("kamelet resilient-http runs without its self-healing clauses"
                + " in no-error-handler mode: leave camel.component.kamelet.no-error-handler (and the endpoint's "
                + "noErrorHandler) false");
        assertThat(java("idempotent-jdbc-sink?table=t&keyColumns=id&noErrorHandler=true", false).getMessage())
                .startsWith("kamelet idempotent-jdbc-sink runs without its self-healing clauses");
    }

    @Test
    void aMisspeltDataSourceIsNamedWithTheNearestOne() throws Exception {
        CamelContext ctx = contexts.create(TestContexts.SCALED);
        ctx.getRegistry().bind("ordersDb", io.selfheal.idempotency.TestDatabases.H2.dataSource());
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("kamelet:idempotent-jdbc-sink?table=t&keyColumns=id&dataSource=orderDb");
            }
        });
        assertThat(rootCause(ctx).getMessage()).isEqualTo("kamelet idempotent-jdbc-sink: parameter dataSource: no "
                + "javax.sql.DataSource named 'orderDb' in the registry (did you mean 'ordersDb'?)");
    }

    @Test
    void anUnrelatedNameIsRefusedWithTheListOfParameters() throws Exception {
        assertThat(java("resilient-http?upstream=orders&url=http://127.0.0.1:9/&colour=blue", false).getMessage())
                .isEqualTo("kamelet resilient-http: unknown parameter 'colour' (parameters: upstream, url, method, "
                        + "connectTimeout, readTimeout, idempotencyKey, idempotent)");
    }

    @Test
    void theValidNamesAreTheKameletFilesProperties() throws Exception {
        CamelContext ctx = contexts.create(TestContexts.SCALED);
        assertThat(SelfhealKamelets.parameters(ctx, "idempotent-jdbc-sink").names())
                .containsExactly("table", "keyColumns", "columns", "rowFrom", "dataSource", "createTable");
        assertThat(SelfhealKamelets.parameters(ctx, "idempotent-jdbc-sink").required())
                .containsExactlyInAnyOrder("table", "keyColumns");
    }

    @Test
    void theOldTemplatedRouteFormIsRefusedSayingHowToUseTheKamelet() throws Exception {
        CamelContext ctx = contexts.create(TestContexts.SCALED);
        YamlRoutes.load(ctx, """
                - templatedRoute:
                    routeTemplateRef: idempotent-jdbc-sink
                    routeId: orders-sink
                    parameters:
                      - { name: table, value: orders }
                      - { name: keyColumns, value: order_id }
                """);
        assertThatThrownBy(ctx::start).hasStackTraceContaining("kamelet idempotent-jdbc-sink is used as a kamelet"
                + " endpoint (to: \"kamelet:idempotent-jdbc-sink?...\") or the kamelet EIP, not as a templatedRoute");
    }

    @Test
    void withoutSelfhealEitherKameletFailsInOneLineSayingSo() throws Exception {
        for (String uri : new String[] {"resilient-http?upstream=x&url=http://127.0.0.1:9/",
                "idempotent-jdbc-sink?table=t&keyColumns=id"}) {
            CamelContext plain = new DefaultCamelContext();
            try {
                plain.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:in").to("kamelet:" + uri);
                    }
                });
                Throwable root = rootCause(plain);
                String name = uri.substring(0, uri.indexOf('?'));
                assertThat(root).isInstanceOf(IllegalStateException.class);
                assertThat(root.getMessage()).startsWith("kamelet " + name + " needs Selfheal, which is not installed"
                        + " in CamelContext ").contains("Selfheal.install(camelContext)").doesNotContain("\n");
            } finally {
                plain.stop();
            }
        }
    }
}
