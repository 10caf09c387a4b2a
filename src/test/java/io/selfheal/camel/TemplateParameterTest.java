package io.selfheal.camel;

import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import org.apache.camel.CamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 8: a template used from YAML with a missing or misspelt parameter stops start-up, naming the parameter. */
class TemplateParameterTest {
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    private void startWith(String yaml) throws Exception {
        ctx = contexts.create(TestContexts.SCALED);
        PluginHelper.getRoutesLoader(ctx).loadRoutes(ResourceHelper.resolveMandatoryResource(ctx, yaml));
        ctx.start();
    }

    @Test
    void aMissingParameterIsNamed() {
        assertThatThrownBy(() -> startWith("classpath:yaml/template-missing-url.yaml"))
                .hasStackTraceContaining("url");
    }

    @Test
    void aMisspeltParameterIsNamedWithTheNearestOne() {
        assertThatThrownBy(() -> startWith("classpath:yaml/template-misspelt-url.yaml"))
                .hasStackTraceContaining("unknown parameter 'readTimout'")
                .hasStackTraceContaining("did you mean 'readTimeout'");
    }

    @Test
    void theSinksMissingTableIsNamed() {
        assertThatThrownBy(() -> startWith("classpath:yaml/sink-missing-table.yaml"))
                .hasStackTraceContaining("table");
    }
}
