package io.selfheal.breaker;

import io.selfheal.config.ConfigReader;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the upstreams named in keys of the form {@code <section><upstream>.<suffix>}. Upstream names may contain dots
 * (hosts such as {@code api.example.com}), so a key is split at its known suffix, not at the first dot.
 */
final class PerUpstreamKeys {
    static final String DEFAULTS = "defaults";

    private PerUpstreamKeys() {
    }

    /** @return upstream name → the suffixes configured for it; "defaults" is not an upstream */
    static Map<String, List<String>> find(ConfigReader reader, String section, List<String> suffixes) {
        Map<String, List<String>> byUpstream = new LinkedHashMap<>();
        for (String key : reader.keysUnder(section)) {
            String rest = key.substring(section.length());
            for (String suffix : suffixes) {
                if (rest.endsWith("." + suffix) && rest.length() > suffix.length() + 1) {
                    String name = rest.substring(0, rest.length() - suffix.length() - 1);
                    if (!name.equals(DEFAULTS)) {
                        byUpstream.computeIfAbsent(name, n -> new java.util.ArrayList<>()).add(suffix);
                    }
                }
            }
        }
        for (String suffix : suffixes) {
            reader.remember(section + "<upstream>." + suffix);
        }
        return byUpstream;
    }
}
