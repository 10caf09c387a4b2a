package io.selfheal.testing;

import org.apache.camel.CamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/** Loads YAML DSL text into a context, as camel-main does for ./routes/*.yaml. */
public final class YamlRoutes {
    private YamlRoutes() {
    }

    public static void load(CamelContext ctx, String yaml) throws Exception {
        PluginHelper.getRoutesLoader(ctx).loadRoutes(ResourceHelper.fromString("test-routes.yaml", yaml));
    }
}
