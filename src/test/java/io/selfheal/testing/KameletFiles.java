package io.selfheal.testing;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Selfheal's Kamelet files as plain YAML trees, the way catalog tools read them (not through Camel). */
public final class KameletFiles {
    public static final List<String> NAMES = List.of("resilient-http", "idempotent-jdbc-sink");

    private KameletFiles() {
    }

    public static Path path(String name) {
        return Path.of("src/main/resources/kamelets", name + ".kamelet.yaml");
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(String name) {
        try {
            return (Map<String, Object>) new Load(LoadSettings.builder().build())
                    .loadFromString(Files.readString(path(name)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code spec.definition.properties}, in the file's order. */
    @SuppressWarnings("unchecked")
    public static Map<String, Map<String, Object>> properties(String name) {
        return (Map<String, Map<String, Object>>) at(read(name), "spec", "definition", "properties");
    }

    public static List<String> propertyNames(String name) {
        return new ArrayList<>(properties(name).keySet());
    }

    /** The value at a path of map keys, or null. */
    @SuppressWarnings("unchecked")
    public static Object at(Object tree, String... keys) {
        Object node = tree;
        for (String k : keys) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = ((Map<String, Object>) m).get(k);
        }
        return node;
    }
}
