package io.selfheal.docs;

import io.selfheal.camel.cli.SelfhealCommand;
import io.selfheal.settings.SelfhealConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documentation stands alone and stays true: every relative link in the repository's Markdown leads to a file of
 * the repository (and, with an anchor, to a heading of that Markdown file), no document points outside it, the configuration reference lists exactly the keys the code knows,
 * the command-line reference every command and option of the command tree, and the README stays short enough to be read.
 */
class DocsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().normalize();
    private static final Path CONFIGURATION_REFERENCE = ROOT.resolve("docs/reference/configuration.md");
    private static final int README_MAX_LINES = 220;

    /** Inline links and images: [text](target "title"). */
    private static final Pattern INLINE_LINK = Pattern.compile("!?\\[[^\\]]*]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** Reference definitions: [label]: target. */
    private static final Pattern REFERENCE_LINK = Pattern.compile("(?m)^\\s{0,3}\\[[^\\]]+]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");
    private static final Pattern FENCED_BLOCK = Pattern.compile("(?ms)^\\s*(```|~~~).*?^\\s*\\1\\s*$");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");
    /** A row of a Markdown table whose first cell is one backticked selfheal.* key. */
    private static final Pattern KEY_ROW = Pattern.compile("(?m)^\\|\\s*`(selfheal\\.[^`]+)`\\s*\\|");
    /** A user-chosen segment of a key shape: {@code <name>}, {@code <upstream>}, {@code <status>} ... */
    private static final Pattern PLACEHOLDER = Pattern.compile("<[^>]*>");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.*?)\\s*#*\\s*$");

    @Test
    void everyRelativeLinkLeadsToAFileOfTheRepository() {
        List<String> broken = new ArrayList<>();
        for (Path doc : markdownFiles()) {
            String text = withoutCode(read(doc));
            for (String target : linkTargets(text)) {
                problem(doc, target).ifPresent(p -> broken.add(ROOT.relativize(doc) + ": " + target + " (" + p + ")"));
            }
        }
        assertThat(broken).as("links in the repository's Markdown that lead nowhere or outside it").isEmpty();
    }

    @Test
    void noDocumentMentionsTheSharedFolderOutsideTheRepository() {
        List<String> offending = markdownFiles().stream()
                .filter(doc -> read(doc).contains("../shared"))
                .map(doc -> ROOT.relativize(doc).toString())
                .toList();
        assertThat(offending).as("documents that point to ../shared, which no user has").isEmpty();
    }

    /**
     * Compares key shapes, as {@link SelfhealConfig#knownKeys()} gives them, with the first column of the reference's
     * tables. A user-chosen segment is compared as a placeholder whatever it is called, so the reference may write
     * {@code selfheal.upstream.<name>.max-attempts} or {@code selfheal.upstream.<upstream>.max-attempts}; the rest of
     * the key is compared literally. Per-upstream keys ({@code selfheal.upstream.<name>.*}, {@code
     * selfheal.breaker.<upstream>.*}, {@code selfheal.budget.<upstream>.*}) are therefore matched one by one: the
     * reference lists each suffix under its per-upstream prefix, so a suffix added to a section's defaults but
     * not to its per-upstream form (or the other way round) shows here.
     */
    @Test
    void configurationReferenceListsExactlyTheKeysTheCodeKnows() {
        Map<String, String> known = new TreeMap<>();
        SelfhealConfig.knownKeys().forEach(k -> known.put(shape(k), k));
        Map<String, String> documented = new TreeMap<>();
        Matcher m = KEY_ROW.matcher(withoutFencedBlocks(read(CONFIGURATION_REFERENCE)));
        while (m.find()) {
            documented.put(shape(m.group(1)), m.group(1));
        }
        SortedSet<String> missing = new TreeSet<>();
        known.forEach((shape, key) -> {
            if (!documented.containsKey(shape)) {
                missing.add(key);
            }
        });
        SortedSet<String> unknown = new TreeSet<>();
        documented.forEach((shape, key) -> {
            if (!known.containsKey(shape)) {
                unknown.add(key);
            }
        });
        assertThat(List.of(missing, unknown))
                .as("keys the code knows that docs/reference/configuration.md does not list (first), and keys it "
                        + "lists that the code does not know (second)")
                .containsExactly(new TreeSet<>(), new TreeSet<>());
    }

    @Test
    void readmeStaysShort() {
        long lines = read(ROOT.resolve("README.md")).lines().count();
        assertThat(lines).as("lines in README.md").isLessThanOrEqualTo(README_MAX_LINES);
    }

    /** .ci/run runs the command on the second line after the marker (the first opens the code block). */
    @Test
    void readmeGivesTheTestCommandWhereCiReadsIt() {
        List<String> lines = read(ROOT.resolve("README.md")).lines().toList();
        int marker = lines.indexOf("<!-- ci:test-command -->");
        assertThat(marker).as("the ci:test-command marker in README.md").isNotNegative();
        assertThat(lines.subList(marker + 1, Math.min(lines.size(), marker + 3)))
                .containsExactly("```", "mvn -B verify");
    }

    private static String shape(String key) {
        return PLACEHOLDER.matcher(key.trim()).replaceAll("<>");
    }

    private static java.util.Optional<String> problem(Path doc, String target) {
        String t = target.trim();
        if (t.startsWith("#")) {
            return anchors(doc).contains(t.substring(1)) ? java.util.Optional.empty()
                    : java.util.Optional.of("no such heading");
        }
        if (t.isEmpty() || t.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
            // a URL (https:, mailto:): not a file of the repository
            return java.util.Optional.empty();
        }
        String path = t.replaceFirst("[#?].*$", "");
        if (path.startsWith("/")) {
            return java.util.Optional.of("an absolute path");
        }
        Path resolved = doc.getParent().resolve(path).normalize();
        if (!resolved.startsWith(ROOT)) {
            return java.util.Optional.of("outside the repository");
        }
        if (!Files.exists(resolved)) {
            return java.util.Optional.of("no such file");
        }
        int hash = t.indexOf('#');
        if (hash >= 0 && resolved.toString().endsWith(".md") && !anchors(resolved).contains(t.substring(hash + 1))) {
            return java.util.Optional.of("no such heading");
        }
        return java.util.Optional.empty();
    }

    /** The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces as hyphens. */
    private static Set<String> anchors(Path doc) {
        Set<String> out = new java.util.HashSet<>();
        Matcher m = HEADING.matcher(withoutFencedBlocks(read(doc)));
        while (m.find()) {
            String text = m.group(1).replaceAll("\\[([^\\]]*)]\\([^)]*\\)", "$1").replace("`", "");
            String slug = text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            String unique = slug;
            for (int n = 1; !out.add(unique); n++) {
                unique = slug + "-" + n;
            }
        }
        return out;
    }

    private static List<String> linkTargets(String text) {
        List<String> out = new ArrayList<>();
        for (Pattern p : List.of(INLINE_LINK, REFERENCE_LINK)) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** Code is not prose: a Java array access or a JSON sample is no link. */
    private static String withoutCode(String text) {
        return INLINE_CODE.matcher(withoutFencedBlocks(text)).replaceAll("");
    }

    private static String withoutFencedBlocks(String text) {
        return FENCED_BLOCK.matcher(text).replaceAll("");
    }

    /** Where a Kamelet's parameter table begins: the table right after this comment. */
    private static final Pattern KAMELET_TABLE = Pattern.compile("<!-- kamelet-parameters: ([a-z-]+) -->\\R((?:\\|.*\\R?)+)");
    private static final Pattern PARAMETER_ROW = Pattern.compile("(?m)^\\|\\s*`([^`]+)`\\s*\\|");

    /** Each Kamelet's parameter tables, written by hand, name exactly the properties of its YAML file, in its order. */
    @Test
    void kameletParameterTablesNameExactlyTheKameletFilesProperties() {
        Map<String, Integer> tables = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        for (Path doc : markdownFiles()) {
            Matcher m = KAMELET_TABLE.matcher(read(doc));
            while (m.find()) {
                String kamelet = m.group(1);
                List<String> named = new ArrayList<>();
                Matcher row = PARAMETER_ROW.matcher(m.group(2));
                while (row.find()) {
                    named.add(row.group(1));
                }
                List<String> properties = io.selfheal.testing.KameletFiles.propertyNames(kamelet);
                if (!named.equals(properties)) {
                    wrong.add(ROOT.relativize(doc) + ": " + kamelet + " table names " + named + ", the file has "
                            + properties);
                }
                tables.merge(kamelet, 1, Integer::sum);
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(tables.keySet()).containsExactlyInAnyOrderElementsOf(io.selfheal.testing.KameletFiles.NAMES);
    }

    private static List<Path> markdownFiles() {
        Set<String> skipped = Set.of("target", ".git", "node_modules", "data");
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> {
                        for (Path part : ROOT.relativize(p)) {
                            if (skipped.contains(part.toString())) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void exchangePropertiesReferenceNamesEveryPropertyOfTheContract() throws Exception {
        assertThat(missingFrom("docs/reference/exchange-properties.md", io.selfheal.camel.SelfhealProperties.class))
                .as("SelfhealProperties values the exchange-properties reference does not name").isEmpty();
    }

    @Test
    void metricsReferenceNamesEveryMeter() throws Exception {
        assertThat(missingFrom("docs/reference/metrics.md", io.selfheal.observe.SelfhealMeters.class))
                .as("SelfhealMeters names the metrics reference does not list").isEmpty();
    }

    /**
     * Every command of the jar's picocli tree has a heading of its path in docs/reference/cli.md ({@code parked replay}),
     * and its section names each of its options and parameters in code; the standard {@code --help} and
     * {@code --version} options are named once for all.
     */
    @Test
    void cliReferenceNamesEveryCommandAndOptionOfTheCommandTree() {
        String text = read(ROOT.resolve("docs/reference/cli.md"));
        Map<String, String> sections = sections(text);
        List<String> paths = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<CommandLine> commands = new ArrayList<>();
        collect(SelfhealCommand.commandLine(), commands);
        for (CommandLine command : commands) {
            CommandSpec spec = command.getCommandSpec();
            String path = spec.qualifiedName(" ").substring(SelfhealCommand.NAME.length()).trim();
            paths.add(path);
            String section = path.isEmpty() ? text : sections.get(path);
            if (section == null) {
                missing.add("a heading '" + path + "'");
                continue;
            }
            for (OptionSpec option : spec.options()) {
                if (!path.isEmpty() && (option.usageHelp() || option.versionHelp())) {
                    continue;
                }
                for (String name : option.names()) {
                    if (!section.contains("`" + name)) {
                        missing.add((path.isEmpty() ? "" : path + " ") + name);
                    }
                }
            }
            for (PositionalParamSpec parameter : spec.positionalParameters()) {
                if (!section.contains(parameter.paramLabel())) {
                    missing.add(path + " " + parameter.paramLabel());
                }
            }
        }
        assertThat(paths).as("the commands the check walks").contains("", "run", "parked", "parked replay", "report",
                "help");
        assertThat(missing).as("commands and options of the jar that docs/reference/cli.md does not name").isEmpty();
    }

    private static void collect(CommandLine command, List<CommandLine> into) {
        into.add(command);
        command.getSubcommands().values().forEach(c -> collect(c, into));
    }

    /** Each heading's text (backticks dropped) and its section: up to the next heading of the same or a higher level. */
    private static Map<String, String> sections(String markdown) {
        List<String> lines = fencedLinesBlanked(markdown).lines().toList();
        Map<String, String> out = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int level = headingLevel(lines.get(i));
            if (level == 0) {
                continue;
            }
            int end = i + 1;
            while (end < lines.size() && (headingLevel(lines.get(end)) == 0 || headingLevel(lines.get(end)) > level)) {
                end++;
            }
            String title = lines.get(i).substring(level).replace("`", "").trim();
            out.put(title, String.join("\n", markdown.lines().toList().subList(i, end)));
        }
        return out;
    }

    private static int headingLevel(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == '#') {
            n++;
        }
        return n > 0 && n <= 6 && line.length() > n && line.charAt(n) == ' ' ? n : 0;
    }

    /** The text with each line of a fenced block blanked, so line numbers stay those of the original. */
    private static String fencedLinesBlanked(String markdown) {
        StringBuilder out = new StringBuilder();
        boolean inBlock = false;
        for (String line : markdown.lines().toList()) {
            boolean fence = line.strip().startsWith("```") || line.strip().startsWith("~~~");
            out.append(inBlock || fence ? "" : line).append('\n');
            if (fence) {
                inBlock = !inBlock;
            }
        }
        return out.toString();
    }

    /** The values of {@code type}'s public String constants that {@code doc} does not show in backticks. */
    private static List<String> missingFrom(String doc, Class<?> type) throws Exception {
        String text = Files.readString(ROOT.resolve(doc));
        List<String> missing = new ArrayList<>();
        int constants = 0;
        for (java.lang.reflect.Field f : type.getFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                constants++;
                String value = (String) f.get(null);
                if (!text.contains("`" + value + "`")) {
                    missing.add(f.getName() + " = " + value);
                }
            }
        }
        assertThat(constants).as("public String constants of " + type.getSimpleName()).isGreaterThan(5);
        return missing;
    }
}
