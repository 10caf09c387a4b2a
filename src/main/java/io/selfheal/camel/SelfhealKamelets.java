package io.selfheal.camel;

import io.selfheal.camel.idempotency.IdempotentJdbcSinkKamelet;
import org.apache.camel.CamelContext;
import org.apache.camel.RouteTemplateContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Selfheal's Kamelets, {@value #RESILIENT_HTTP} and {@value #IDEMPOTENT_JDBC_SINK}: their YAML files
 * ({@code classpath:kamelets/<name>.kamelet.yaml}, where the kamelet component looks for them) are loaded as the
 * CamelContext's route templates when Selfheal is installed, and each gets
 * <ul>
 *     <li>the template's own parameter check ({@link KameletParameters}, run by Camel as each use's route is made from
 *     the template, for {@code kamelet:} endpoints and the kamelet EIP alike): an unknown name gets the nearest valid
 *     one, a missing required one is named (Camel's own check of required parameters is replaced, since it names
 *     neither), then the Kamelet's own check of the values;</li>
 *     <li>the self-healing clauses, route-scoped, so it heals whether or not the calling route names
 *     {@code self-healing} (Camel does not apply route configurations to a Kamelet's routes).</li>
 * </ul>
 * A context without Selfheal loads the same files on first use, without either: the Kamelets' processors then refuse
 * to start, saying Selfheal is not installed.
 */
public final class SelfhealKamelets {
    public static final String RESILIENT_HTTP = "resilient-http";
    public static final String IDEMPOTENT_JDBC_SINK = "idempotent-jdbc-sink";
    /** Where the kamelet component looks for a Kamelet by default; the files live there in the jar. */
    public static final String LOCATION = "classpath:kamelets/";

    private SelfhealKamelets() {
    }

    public static void install(CamelContext context) throws Exception {
        add(context, RESILIENT_HTTP, ResilientHttpCall::checkValues);
        add(context, IDEMPOTENT_JDBC_SINK, IdempotentJdbcSinkKamelet::checkValues);
    }

    /** The file of one of Selfheal's Kamelets. */
    public static String resource(String name) {
        return LOCATION + name + ".kamelet.yaml";
    }

    /** The parameters of one of Selfheal's Kamelets in this context. */
    public static KameletParameters parameters(CamelContext context, String name) {
        KameletParameters p = InstalledBeans.lookup(context, beanName(name), KameletParameters.class);
        if (p == null) {
            throw new IllegalStateException("Selfheal is not installed in CamelContext " + context.getName());
        }
        return p;
    }

    private static void add(CamelContext context, String name, Consumer<Map<String, Object>> valueCheck)
            throws Exception {
        ModelCamelContext model = (ModelCamelContext) context;
        if (model.getRouteTemplateDefinition(name) == null) {
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveMandatoryResource(context,
                    resource(name)));
        }
        RouteTemplateDefinition template = model.getRouteTemplateDefinition(name);
        if (template.getConfigurer() != null) {
            return; // already prepared in this context
        }
        KameletParameters parameters = KameletParameters.of(template);
        InstalledBeans.bind(context, beanName(name), parameters);
        for (RouteTemplateParameterDefinition p : template.getTemplateParameters()) {
            p.setRequired(false); // checked by KameletParameters, which names what is missing
        }
        template.setConfigurer(rtc -> check(rtc, parameters, valueCheck));
        RouteDefinition route = template.getRoute();
        OnExceptionDefinition clause = new OnExceptionDefinition(Exception.class);
        clause.setRouteScoped(true);
        SelfHealingClauses.configure(clause)
                .process(SelfHealingClauses.giveUpRecorder())
                .to(SelfHealingClauses.ESCALATION_ENDPOINT);
        route.getOutputs().add(0, clause);
    }

    private static void check(RouteTemplateContext rtc, KameletParameters parameters,
                              Consumer<Map<String, Object>> valueCheck) {
        Map<String, Object> given = new LinkedHashMap<>(rtc.getParameters());
        if (!given.containsKey("uuid")) {
            // a templatedRoute (the route templates of earlier versions) feeds no kamelet:source
            throw new IllegalArgumentException("kamelet " + parameters.kamelet() + " is used as a kamelet endpoint ("
                    + "to: \"kamelet:" + parameters.kamelet() + "?...\") or the kamelet EIP, not as a templatedRoute");
        }
        // in no-error-handler mode Camel gives the Kamelet's route no error handler: its clauses would never run
        if (Boolean.parseBoolean(String.valueOf(given.get("noErrorHandler")))) {
            throw new IllegalArgumentException("kamelet " + parameters.kamelet() + " runs without its self-healing "
                    + "clauses in no-error-handler mode: leave camel.component.kamelet.no-error-handler (and the "
                    + "endpoint's noErrorHandler) false");
        }
        parameters.check(given);
        valueCheck.accept(given);
    }

    /**
     * Fails, in one line, when Selfheal is not installed in the context: a Kamelet loaded by the kamelet component
     * alone would run without its parameter check and its self-healing clauses.
     */
    public static void requireSelfheal(CamelContext context, String kamelet) {
        if (context == null || InstalledBeans.lookup(context, SelfhealRuntime.BEAN_NAME, SelfhealRuntime.class) == null) {
            throw new IllegalStateException("kamelet " + kamelet + " needs Selfheal, which is not installed in CamelContext "
                    + (context == null ? "?" : context.getName()) + ": call Selfheal.install(camelContext) before adding"
                    + " routes (the Selfheal jar does)");
        }
    }

    private static String beanName(String kamelet) {
        return "selfhealKamelet-" + kamelet;
    }
}
