package io.selfheal.camel;

import io.selfheal.config.ConfigReader;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.apache.camel.util.StringHelper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The parameters one of Selfheal's Kamelets takes, as its YAML's {@code spec.definition.properties} and
 * {@code required} declare them (read from the route template Camel built from that file: one source of truth), and
 * the check of one use's parameters: an unknown name is refused with the nearest valid one, a missing required one is
 * named. Camel's own route-template parameters (routeId, uuid, ...) are let through.
 */
public final class KameletParameters {
    /** What the kamelet component and Camel's route templates add to every use's parameters. */
    static final Set<String> CAMEL_PARAMETERS = Set.of("templateId", "routeId", "uuid", "location", "noErrorHandler",
            "bridgeErrorHandler", "parentRouteId", "parentProcessorId", "routeDescription", "routeGroup", "prefixId");

    private final String kamelet;
    private final List<String> names;
    private final Set<String> required;

    KameletParameters(String kamelet, List<String> names, Set<String> required) {
        this.kamelet = kamelet;
        this.names = List.copyOf(names);
        this.required = Set.copyOf(required);
    }

    /** The parameters of a template loaded from a kamelet YAML file. */
    static KameletParameters of(RouteTemplateDefinition template) {
        List<String> names = new ArrayList<>();
        Set<String> required = new LinkedHashSet<>();
        if (template.getTemplateParameters() != null) {
            for (RouteTemplateParameterDefinition p : template.getTemplateParameters()) {
                names.add(p.getName());
                if (p.isRequired()) {
                    required.add(p.getName());
                }
            }
        }
        return new KameletParameters(template.getId(), names, required);
    }

    public String kamelet() {
        return kamelet;
    }

    /** The names, in the order the YAML lists them. */
    public List<String> names() {
        return names;
    }

    public Set<String> required() {
        return required;
    }

    /**
     * Checks one use's parameters (defaults already filled in by Camel).
     *
     * @throws IllegalArgumentException naming the first unknown or missing parameter
     */
    public void check(Map<String, Object> given) {
        for (String name : given.keySet()) {
            if (!names.contains(name) && !CAMEL_PARAMETERS.contains(name)
                    && !names.contains(StringHelper.dashToCamelCase(name))) {
                throw new IllegalArgumentException("kamelet " + kamelet + ": unknown parameter '" + name + "'"
                        + nearest(name) + " (parameters: " + String.join(", ", names) + ")");
            }
        }
        for (String name : names) {
            if (required.contains(name) && blank(given.get(name)) && blank(given.get(StringHelper.camelCaseToDash(name)))) {
                throw new IllegalArgumentException("kamelet " + kamelet + ": missing required parameter '" + name + "'");
            }
        }
    }

    private String nearest(String given) {
        String lower = given.toLowerCase(Locale.ROOT);
        return names.stream()
                .min(Comparator.comparingInt(n -> ConfigReader.levenshtein(n.toLowerCase(Locale.ROOT), lower)))
                .filter(n -> ConfigReader.levenshtein(n.toLowerCase(Locale.ROOT), lower) <= Math.max(3, n.length() / 3))
                .map(n -> " (did you mean '" + n + "'?)")
                .orElse("");
    }

    private static boolean blank(Object value) {
        return value == null || value.toString().isBlank();
    }
}
