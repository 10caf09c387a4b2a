package io.selfheal.settings;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Configuration flows one way: the kit ({@code io.selfheal.config}) knows no section, each section reads its own keys
 * with the kit, and only {@code io.selfheal.settings} puts the sections together. Read from the sources, so an import
 * or a fully qualified name anywhere in a file counts.
 */
class ConfigurationFlowsOneWayTest {
    private static final Path MAIN = Path.of("src/main/java/io/selfheal");
    /** Above the composition: they start Selfheal with the whole configuration. Every other package is a section. */
    private static final Set<String> ABOVE = Set.of("camel", "demo");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.selfheal\\.([a-z]+)\\b");

    @Test
    void theKitKnowsNoOtherSelfhealPackage() {
        assertThat(references("config")).as("io.selfheal.config refers to").allMatch(r -> r.endsWith(" config"));
    }

    @Test
    void noSectionKnowsTheComposition() {
        List<String> sections = sections();
        assertThat(sections).contains("breaker", "classify", "escalation", "idempotency", "retry");
        for (String section : sections) {
            assertThat(references(section)).as("io.selfheal.%s refers to", section).noneMatch(r -> r.endsWith(" settings"));
        }
    }

    /** The packages that hold sections: they read their keys with the kit and never see the whole. */
    private static List<String> sections() {
        try (Stream<Path> dirs = Files.list(MAIN)) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString())
                    .filter(p -> !p.equals("config") && !p.equals("settings") && !ABOVE.contains(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theCheckSeesReferences() {
        assertThat(references("settings")).as("the composition refers to its sections")
                .anyMatch(r -> r.endsWith(" config")).anyMatch(r -> r.endsWith(" breaker")).anyMatch(r -> r.endsWith(" retry"));
    }

    /** "File.java -> package" for every io.selfheal package a file of {@code pkg} names, its own included. */
    private static List<String> references(String pkg) {
        Path dir = MAIN.resolve(pkg);
        assertThat(dir).isDirectory();
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file).replaceFirst("(?m)^package [\\w.]+;", "");
                Matcher m = REFERENCE.matcher(source);
                while (m.find()) {
                    out.add(dir.relativize(file) + " -> " + m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
