package io.selfheal.camel;

import io.selfheal.testing.KameletFiles;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static io.selfheal.testing.KameletFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both Kamelet files are written as apache/camel-kamelets writes its Kamelets, so catalog tools, Karavan and Camel
 * JBang can read them; and the parameters Selfheal checks are exactly the file's properties.
 */
class KameletCatalogFormatTest {
    private static final Map<String, String> TYPE = Map.of("resilient-http", "action", "idempotent-jdbc-sink", "sink");
    private static final Set<String> JSON_SCHEMA_TYPES = Set.of("string", "boolean", "integer", "number");

    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();

    @ParameterizedTest
    @ValueSource(strings = {"resilient-http", "idempotent-jdbc-sink"})
    void theFileHasTheCatalogsShape(String name) throws Exception {
        Map<String, Object> k = KameletFiles.read(name);
        assertThat(k.get("apiVersion")).isEqualTo("camel.apache.org/v1");
        assertThat(k.get("kind")).isEqualTo("Kamelet");
        assertThat(at(k, "metadata", "name")).isEqualTo(name);
        @SuppressWarnings("unchecked")
        Map<String, Object> annotations = (Map<String, Object>) at(k, "metadata", "annotations");
        assertThat(annotations).containsKeys("camel.apache.org/kamelet.support.level",
                "camel.apache.org/catalog.version", "camel.apache.org/kamelet.group");
        assertThat(annotations.get("camel.apache.org/provider")).isEqualTo("Selfheal");
        assertThat(at(k, "metadata", "labels", "camel.apache.org/kamelet.type")).isEqualTo(TYPE.get(name));

        assertThat(at(k, "spec", "definition", "title")).asString().isNotBlank();
        assertThat(at(k, "spec", "definition", "description")).asString().isNotBlank();
        assertThat(at(k, "spec", "definition", "type")).isEqualTo("object");
        Map<String, Map<String, Object>> properties = KameletFiles.properties(name);
        assertThat(properties).isNotEmpty();
        @SuppressWarnings("unchecked")
        List<String> required = (List<String>) at(k, "spec", "definition", "required");
        assertThat(properties.keySet()).containsAll(required);
        properties.forEach((p, def) -> {
            assertThat(def).as(p).containsKeys("title", "description", "type");
            assertThat(def.get("title")).as(p).asString().isNotBlank();
            assertThat(def.get("description")).as(p).asString().isNotBlank();
            assertThat(JSON_SCHEMA_TYPES).as(p).contains((String) def.get("type"));
            assertThat(required.contains(p) && def.containsKey("default")).as(p + ": required with a default").isFalse();
            if (def.get("enum") instanceof List<?> values && def.containsKey("default")) {
                assertThat(values.stream().map(String::valueOf)).as(p).contains(String.valueOf(def.get("default")));
            }
            if ("boolean".equals(def.get("type")) && def.containsKey("default")) {
                assertThat(def.get("default")).as(p).isInstanceOf(Boolean.class);
            }
        });

        @SuppressWarnings("unchecked")
        List<String> dependencies = (List<String>) at(k, "spec", "dependencies");
        assertThat(dependencies).contains("camel:kamelet", "mvn:io.selfheal:selfheal:" + projectVersion());
        assertThat(at(k, "spec", "template", "from", "uri")).isEqualTo("kamelet:source");
        assertThat(at(k, "spec", "template", "from", "steps")).asList().isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"resilient-http", "idempotent-jdbc-sink"})
    void theParametersSelfhealChecksAreTheFilesProperties(String name) throws Exception {
        KameletParameters checked = SelfhealKamelets.parameters(contexts.create(TestContexts.SCALED), name);
        assertThat(checked.names()).containsExactlyElementsOf(KameletFiles.propertyNames(name));
        assertThat(checked.required()).containsExactlyInAnyOrderElementsOf(
                (List<String>) at(KameletFiles.read(name), "spec", "definition", "required"));
    }

    /** The version the build wrote into version.properties (resource filtering). */
    private static String projectVersion() throws Exception {
        Properties p = new Properties();
        try (InputStream in = KameletCatalogFormatTest.class.getResourceAsStream("/io/selfheal/version.properties")) {
            p.load(in);
        }
        return p.getProperty("version");
    }
}
