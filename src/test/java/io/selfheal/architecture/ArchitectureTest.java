package io.selfheal.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/architecture.md and the code agree: every package is on the map, each package imports only what its row says
 * it may, only the camel packages and the demo import Camel, and every class the map names exists.
 */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java/io/selfheal");
    private static final Path MAP = Path.of("docs/architecture.md");
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z.]+)`(?: \\(root\\))? \\|(.*)\\|(.*)\\|\\s*$");
    private static final Pattern TICKED = Pattern.compile("`([A-Za-z.]+)`");
    private static final Pattern SELFHEAL_REFERENCE = Pattern.compile("\\bio\\.selfheal\\.([a-z]+(?:\\.[a-z]+)*)\\.[A-Z]");

    @Test
    void everyPackageIsOnTheMap() {
        assertThat(rows().keySet()).containsExactlyInAnyOrderElementsOf(packages());
    }

    @Test
    void eachPackageImportsOnlyWhatTheMapAllows() {
        Map<String, Row> rows = rows();
        List<String> breaches = new ArrayList<>();
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            Row row = e.getValue();
            if (row.allowed() == null) {
                continue; // the camel packages: they may import everything below them
            }
            for (String used : references(e.getKey())) {
                if (!used.equals(e.getKey()) && !row.allowed().contains(used)) {
                    breaches.add(e.getKey() + " -> " + used);
                }
            }
        }
        assertThat(breaches).as("imports the map does not allow").isEmpty();
    }

    @Test
    void onlyTheCamelPackagesAndTheDemoImportCamel() {
        for (String pkg : packages()) {
            if (pkg.equals("camel") || pkg.startsWith("camel.") || pkg.equals("demo")) {
                continue;
            }
            for (Path file : files(pkg)) {
                assertThat(code(file)).as(file.toString()).doesNotContain("org.apache.camel");
            }
        }
    }

    @Test
    void everyClassTheMapNamesExists() {
        // Selfheal's classes, main and test, and the Camel types the map names
        Set<String> classes = new TreeSet<>(Set.of("IdempotentRepository", "ExecutorServiceManager"));
        for (Path root : List.of(MAIN, Path.of("src/test/java/io/selfheal"))) {
            try (Stream<Path> all = Files.walk(root)) {
                all.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".java"))
                        .map(n -> n.substring(0, n.length() - 5)).forEach(classes::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Set<String> missing = new TreeSet<>();
        for (Row row : rows().values()) {
            Matcher m = TICKED.matcher(row.holds() + row.third());
            while (m.find()) {
                String name = m.group(1).replaceFirst("\\..*", "");
                if (Character.isUpperCase(name.charAt(0)) && !classes.contains(name)) {
                    missing.add(name);
                }
            }
        }
        assertThat(missing).as("classes the map names that the code does not have").isEmpty();
    }

    @Test
    void theChecksSeeWhatTheyCheck() {
        assertThat(references("settings")).contains("config", "retry", "breaker");
        assertThat(rows().get("retry").allowed()).containsExactlyInAnyOrder("config", "classify");
        assertThat(rows().get("config").allowed()).isEmpty();
    }

    /** A package's row: what it holds, and the Selfheal packages it may import (null: not limited by the map). */
    private record Row(String holds, String third, Set<String> allowed) {
    }

    private static Map<String, Row> rows() {
        String map;
        try {
            map = Files.readString(MAP);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Row> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(map);
        while (m.find()) {
            String third = m.group(3).trim();
            Set<String> allowed = null;
            if (!m.group(1).startsWith("camel")) {
                allowed = new TreeSet<>();
                if (third.contains("the domain packages")) {
                    allowed.addAll(List.of("classify", "retry", "breaker", "idempotency", "escalation", "observe",
                            "runs", "schedule"));
                }
                Matcher t = TICKED.matcher(third);
                while (t.find()) {
                    allowed.add(t.group(1));
                }
            }
            rows.put(m.group(1), new Row(m.group(2), third, allowed));
        }
        // the demo is described in prose: it may import the camel root, camel.runs, json, observe, runs and Camel
        rows.put("demo", new Row("`FlakyUpstream` `DemoSummary`", "", Set.of("camel", "camel.runs", "json", "observe", "runs")));
        return rows;
    }

    private static List<String> packages() {
        try (Stream<Path> dirs = Files.walk(MAIN)) {
            return dirs.filter(Files::isDirectory).filter(d -> !d.equals(MAIN))
                    .filter(d -> files(d).size() > 0)
                    .map(d -> MAIN.relativize(d).toString().replace('/', '.')).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> files(String pkg) {
        return files(MAIN.resolve(pkg.replace('.', '/')));
    }

    private static List<Path> files(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Selfheal packages the classes of {@code pkg} (not its sub-packages) import or name in code. */
    private static Set<String> references(String pkg) {
        Set<String> out = new TreeSet<>();
        for (Path file : files(pkg)) {
            Matcher m = SELFHEAL_REFERENCE.matcher(code(file));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** The source without its package line, comments and string literals: what the compiler links. */
    private static String code(Path file) {
        try {
            String s = Files.readString(file);
            s = s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
            s = s.replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
            return s.replaceFirst("(?m)^package [\\w.]+;", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
