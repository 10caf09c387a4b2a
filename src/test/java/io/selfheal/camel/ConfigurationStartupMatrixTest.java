package io.selfheal.camel;

import io.selfheal.config.ConfigException;
import io.selfheal.config.SelfhealConfig;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Hostile configuration through the jar's own start path (camel-main, {@link SelfhealMain#create()}): every
 * {@code selfheal.*} key with a value of the wrong type, and a negative or zero where that is invalid, and a typo of
 * every key; each stops start-up within a second with a message that names the key (and, for a typo, suggests the
 * valid key it is nearest to).
 * <p>
 * The keys come from the configuration code ({@link SelfhealConfig#knownKeys()}); {@link #KINDS} says what kind of
 * value each takes, and a test fails when a key exists that it does not describe, so a new section is not left out.
 * (A key described here that the code does not know yet is not exercised.)
 */
class ConfigurationStartupMatrixTest {
    private static final Duration STARTUP_FAILS_WITHIN = Duration.ofSeconds(1);

    /** What a key's value is, and values that must be refused for it. */
    enum Kind {
        COUNT("eight", "1.5", "-3", "0", "99999999999", "3 times"),
        POSITIVE_DURATION("soon", "10", "-5s", "0s", "0ms", "5 minutes", "5x", "PT-5S"),
        DURATION("soon", "10", "-5s", "5 minutes", "5x", "1e3s", "PT-5S"),
        MULTIPLIER("double", "-2", "0", "0.5", "NaN", "Infinity", "2x"),
        FRACTION("half", "-0.1", "1", "1.5", "NaN", "50%"),
        FAILURE_CLASS("SOMETIMES", "TRANSIENTLY", "0", "retry", "TRANSIENT,PERMANENT"),
        LOG_FORMAT("xml", "jsonl", "1", "text,json");

        final List<String> invalid;

        Kind(String... invalid) {
            this.invalid = List.of(invalid);
        }
    }

    /** Every key shape and its kind; keep in step with SelfhealConfig.knownKeys() (a test checks). */
    static final Map<String, Kind> KINDS = new LinkedHashMap<>();

    static {
        for (String prefix : List.of("selfheal.defaults.", "selfheal.upstream.<name>.")) {
            KINDS.put(prefix + "max-attempts", Kind.COUNT);
            KINDS.put(prefix + "max-duration", Kind.POSITIVE_DURATION);
            KINDS.put(prefix + "initial-delay", Kind.DURATION);
            KINDS.put(prefix + "multiplier", Kind.MULTIPLIER);
            KINDS.put(prefix + "max-delay", Kind.POSITIVE_DURATION);
            KINDS.put(prefix + "jitter", Kind.FRACTION);
            KINDS.put(prefix + "recoverable-initial-delay", Kind.DURATION);
            KINDS.put(prefix + "retry-after-max", Kind.DURATION);
        }
        KINDS.put("selfheal.classify.http.<status>", Kind.FAILURE_CLASS);
        KINDS.put("selfheal.classify.sqlstate.<code-or-class>", Kind.FAILURE_CLASS);
        KINDS.put("selfheal.classify.vendor-code.<code>", Kind.FAILURE_CLASS);
        KINDS.put("selfheal.classify.exception.<fully.qualified.ClassName>", Kind.FAILURE_CLASS);
        KINDS.put("selfheal.classify.default", Kind.FAILURE_CLASS);
        // on main since the JSON log lines; described ahead of the merge, exercised once the code knows it
        KINDS.put("selfheal.log.format", Kind.LOG_FORMAT);
    }

    /** A valid choice for each user-chosen segment, and choices that must be refused in the key itself. */
    static final Map<String, String> SEGMENT_EXAMPLE = Map.of(
            "<name>", "inventory", "<status>", "503", "<code-or-class>", "40001", "<code>", "1213",
            "<fully.qualified.ClassName>", "java.io.IOException");
    static final Map<String, List<String>> SEGMENT_INVALID = Map.of(
            "<status>", List.of("abc", "99", "600", "-1", "5O3"),
            "<code-or-class>", List.of("TOOLONG", "40-01", "4000!"),
            "<code>", List.of("deadlock", "12.5"),
            "<fully.qualified.ClassName>", List.of("1bad.Name", "java..io.IOException", "java.io.-IOException"));

    @BeforeAll
    static void warmUp() throws Exception {
        // the first start in a JVM loads Camel's classes; the bound is about failing fast, not about class loading
        Main main = newMain();
        try {
            main.start();
        } finally {
            main.stop();
        }
    }

    @Test
    void everyKeyTheConfigurationCodeKnowsIsDescribedHere() {
        assertThat(KINDS.keySet())
                .as("a selfheal.* key was added: describe it in KINDS (and in SEGMENT_* if it has a new <segment>)")
                .containsAll(SelfhealConfig.knownKeys());
        assertThat(known()).hasSizeGreaterThanOrEqualTo(21);
    }

    /** The described keys the configuration code knows, with their kinds. */
    private static Map<String, Kind> known() {
        Map<String, Kind> out = new LinkedHashMap<>();
        for (String key : SelfhealConfig.knownKeys()) {
            if (KINDS.containsKey(key)) {
                out.put(key, KINDS.get(key));
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> aWrongValueStopsStartUpNamingTheKey() {
        List<DynamicTest> tests = new ArrayList<>();
        known().forEach((shape, kind) -> {
            String key = example(shape);
            for (String value : kind.invalid) {
                tests.add(DynamicTest.dynamicTest(key + "=" + value, () -> expectStartupFailure(key, value, key, null)));
            }
        });
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> aWrongSegmentInTheKeyStopsStartUpNamingTheKey() {
        List<DynamicTest> tests = new ArrayList<>();
        known().keySet().forEach(shape -> SEGMENT_INVALID.forEach((segment, invalid) -> {
            if (shape.contains(segment)) {
                for (String bad : invalid) {
                    String key = example(shape.replace(segment, bad));
                    tests.add(DynamicTest.dynamicTest(key, () -> expectStartupFailure(key, "TRANSIENT", key, null)));
                }
            }
        }));
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    /**
     * A typo in the last segment of every key (a dropped letter, two letters swapped): the valid key is suggested.
     * Keys that end in a user-chosen segment (an exception class name) have no typo: any name there is valid.
     */
    @TestFactory
    Stream<DynamicTest> aMisspeltKeyStopsStartUpSuggestingTheNearestKey() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String shape : known().keySet()) {
            String key = example(shape);
            String valid = validValue(KINDS.get(shape));
            if (shape.endsWith(">")) {
                continue;
            }
            for (String typo : typos(key)) {
                tests.add(DynamicTest.dynamicTest(typo + " (meant " + key + ")",
                        () -> expectStartupFailure(typo, valid, typo, key)));
            }
        }
        // misspelt sections, not just leaf names
        tests.add(DynamicTest.dynamicTest("selfheal.defautls.max-attempts",
                () -> expectStartupFailure("selfheal.defautls.max-attempts", "3", "selfheal.defautls.max-attempts",
                        "selfheal.defaults.max-attempts")));
        tests.add(DynamicTest.dynamicTest("selfheal.clasify.default",
                () -> expectStartupFailure("selfheal.clasify.default", "PERMANENT", "selfheal.clasify.default",
                        "selfheal.classify.default")));
        tests.add(DynamicTest.dynamicTest("selfheal.upstreams.inventory.max-attempts",
                () -> expectStartupFailure("selfheal.upstreams.inventory.max-attempts", "3",
                        "selfheal.upstreams.inventory.max-attempts", "selfheal.upstream.inventory.max-attempts")));
        return tests.stream();
    }

    @Test
    void anUnknownKeyWithNothingNearStillStopsStartUpNamingIt() throws Exception {
        expectStartupFailure("selfheal.colour", "blue", "selfheal.colour", null);
        expectStartupFailure("selfheal.", "x", "selfheal.", null);
    }

    @Test
    void theValidExamplesStart() throws Exception {
        Main main = newMain();
        known().forEach((shape, kind) -> main.addOverrideProperty(example(shape), validValue(kind)));
        try {
            main.start();
            assertThat(SelfhealRuntime.of(main.getCamelContext()).config().policyFor("inventory").maxAttempts()).isEqualTo(3);
        } finally {
            main.stop();
        }
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private static Main newMain() throws Exception {
        Main main = SelfhealMain.create();
        main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:no-routes-here/*.yaml");
        return main;
    }

    /**
     * Starts the jar's configuration with one extra property and expects it to stop, within a second, with a
     * ConfigException for {@code expectedKey} whose message names it (and suggests {@code suggestion}, when given).
     */
    private static void expectStartupFailure(String key, String value, String expectedKey, String suggestion)
            throws Exception {
        Main main = newMain();
        main.addOverrideProperty(key, value);
        long started = System.nanoTime();
        Throwable failure = null;
        try {
            main.start();
        } catch (Throwable t) {
            failure = t;
        } finally {
            main.stop();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        if (failure == null) {
            fail("start-up accepted " + key + "=" + value);
        }
        ConfigException config = configException(failure);
        assertThat(config).as("%s=%s failed without a ConfigException: %s", key, value, failure).isNotNull();
        assertThat(config.key()).as("%s=%s", key, value).isEqualTo(expectedKey);
        String message = SelfhealMain.rootMessage(failure);
        assertThat(message).as("the message start-up prints").contains(expectedKey);
        if (suggestion != null) {
            assertThat(message).contains("did you mean '" + suggestion + "'");
        }
        assertThat(took).as("%s=%s stopped start-up after %s", key, value, took).isLessThan(STARTUP_FAILS_WITHIN);
    }

    private static ConfigException configException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ConfigException e) {
                return e;
            }
        }
        return null;
    }

    private static String example(String shape) {
        String key = shape;
        for (Map.Entry<String, String> e : SEGMENT_EXAMPLE.entrySet()) {
            key = key.replace(e.getKey(), e.getValue());
        }
        return key;
    }

    private static String validValue(Kind kind) {
        return switch (kind) {
            case COUNT -> "3";
            case POSITIVE_DURATION -> "40s";
            case DURATION -> "1s";
            case MULTIPLIER -> "1.5";
            case FRACTION -> "0.25";
            case FAILURE_CLASS -> "TRANSIENT";
            case LOG_FORMAT -> "json";
        };
    }

    /** Two typos of the key's last segment: its last letter dropped, and its first two letters swapped. */
    private static List<String> typos(String key) {
        int dot = key.lastIndexOf('.');
        String head = key.substring(0, dot + 1);
        String leaf = key.substring(dot + 1);
        List<String> out = new ArrayList<>();
        out.add(head + leaf.substring(0, leaf.length() - 1));
        out.add(head + leaf.charAt(1) + leaf.charAt(0) + leaf.substring(2));
        return out;
    }
}
