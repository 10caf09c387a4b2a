package io.selfheal.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A section's settings for every upstream and per upstream: the defaults, read from {@code defaultsPrefix}, and for
 * each upstream named in a key {@code <section><name>.<suffix>} its own keys on top of the defaults. Immutable.
 * <p>
 * Upstream names may contain dots (hosts such as {@code api.example.com}), so a key is split at its known suffix, not
 * at the first dot. Where the defaults sit inside the section ({@code selfheal.breaker.defaults.}), "defaults" is not
 * an upstream.
 */
public record PerUpstream<T>(T defaultSettings, Map<String, T> upstreamSettings) {
    /** How a section reads its keys under one prefix, on top of {@code base}. */
    @FunctionalInterface
    public interface SettingsReader<T> {
        T read(ConfigSection keys, T base);
    }

    public PerUpstream {
        Objects.requireNonNull(defaultSettings, "defaultSettings");
        upstreamSettings = Collections.unmodifiableMap(new LinkedHashMap<>(upstreamSettings));
    }

    /**
     * Takes the defaults and every upstream's keys from {@code reader}, and remembers the shape
     * {@code <section><name>.<suffix>} of each suffix (for suggestions and the list of valid keys).
     */
    public static <T> PerUpstream<T> read(ConfigReader reader, String defaultsPrefix, String section,
                                          List<String> suffixes, T builtIn, SettingsReader<T> settings) {
        T defaults = settings.read(new ConfigSection(reader, defaultsPrefix), builtIn);
        Map<String, T> upstreams = new LinkedHashMap<>();
        for (String name : upstreamNames(reader, defaultsPrefix, section, suffixes)) {
            upstreams.put(name, settings.read(new ConfigSection(reader, section + name + "."), defaults));
        }
        return new PerUpstream<>(defaults, upstreams);
    }

    private static Set<String> upstreamNames(ConfigReader reader, String defaultsPrefix, String section,
                                              List<String> suffixes) {
        Set<String> names = new LinkedHashSet<>();
        for (String key : reader.keysUnder(section)) {
            String rest = key.substring(section.length());
            for (String suffix : suffixes) {
                if (rest.endsWith("." + suffix) && rest.length() > suffix.length() + 1) {
                    String name = rest.substring(0, rest.length() - suffix.length() - 1);
                    if (!(section + name + ".").equals(defaultsPrefix)) {
                        names.add(name);
                    }
                }
            }
        }
        for (String suffix : suffixes) {
            reader.remember(section + "<name>." + suffix);
        }
        return names;
    }

    /** The settings of an upstream: its own keys on top of the defaults, or the defaults. */
    public T settingsFor(String upstream) {
        return upstream == null ? defaultSettings : Optional.ofNullable(upstreamSettings.get(upstream)).orElse(defaultSettings);
    }
}
