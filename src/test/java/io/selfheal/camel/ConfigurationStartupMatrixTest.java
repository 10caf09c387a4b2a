package io.selfheal.camel;

import io.selfheal.config.ConfigException;
import io.selfheal.settings.SelfhealConfig;
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
 * every key; each stops start-up before Camel starts anything with a message that names the key (and, for a typo, suggests the
 * valid key it is nearest to).
 * <p>
 * The keys come from the configuration code ({@link SelfhealConfig#knownKeys()}); {@link #SPECS} says what each
 * accepts, and a test fails when a key exists that it does not describe, so a new section is not left out.
 * (A key described here that the code does not know yet is not exercised.)
 */
class ConfigurationStartupMatrixTest {

    /**
     * What one key accepts: a valid example (null: none that starts without side effects, such as an HTTP listener)
     * and values that must be refused.
     */
    record Spec(String valid, List<String> invalid) {
        Spec(String valid, String... invalid) {
            this(valid, List.of(invalid));
        }
    }

    static final Spec COUNT = new Spec("3", "eight", "1.5", "-3", "0", "99999999999", "3 times");
    static final Spec POSITIVE_DURATION = new Spec("40s", "soon", "10", "-5s", "0s", "0ms", "5 minutes", "5x", "PT-5S");
    static final Spec DURATION = new Spec("1s", "soon", "10", "-5s", "5 minutes", "5x", "1e3s", "PT-5S");
    static final Spec MULTIPLIER = new Spec("1.5", "double", "-2", "0", "0.5", "NaN", "Infinity", "2x");
    static final Spec FRACTION = new Spec("0.25", "half", "-0.1", "1", "1.5", "NaN", "50%");
    static final Spec FAILURE_CLASS = new Spec("TRANSIENT", "SOMETIMES", "TRANSIENTLY", "0", "retry", "TRANSIENT,PERMANENT");
    static final Spec BOOLEAN = new Spec("false", "maybe", "2", "yes please", "truee");
    static final Spec HTTP_URL = new Spec("http://127.0.0.1:9/hook", "not a url", "ftp://example.org/hook", "/relative/hook",
            "http://");
    static final List<String> INVALID_JDBC_URLS = List.of("not-a-url", "jdbc:oracle:thin:@db:1521:x", "postgres://127.0.0.1/test");
    static final List<String> INVALID_TABLES = List.of("1table", "a-b", "t; DROP TABLE y", "a.b.c", "x".repeat(70));
    /** Any text is valid (user names, header values, label values): only the typo test applies. */
    static final Spec FREE = new Spec("anything");

    /**
     * Every key shape and what it accepts; keep in step with SelfhealConfig.knownKeys() (a test checks). The keys of
     * the later sections are described as they are on main, so the merged suite exercises them too.
     */
    static final Map<String, Spec> SPECS = new LinkedHashMap<>();

    static {
        for (String prefix : List.of("selfheal.defaults.", "selfheal.upstream.<name>.")) {
            SPECS.put(prefix + "max-attempts", COUNT);
            SPECS.put(prefix + "max-duration", POSITIVE_DURATION);
            SPECS.put(prefix + "initial-delay", DURATION);
            SPECS.put(prefix + "multiplier", MULTIPLIER);
            SPECS.put(prefix + "max-delay", POSITIVE_DURATION);
            SPECS.put(prefix + "jitter", FRACTION);
            SPECS.put(prefix + "recoverable-initial-delay", DURATION);
            SPECS.put(prefix + "retry-after-max", DURATION);
        }
        SPECS.put("selfheal.classify.http.<status>", FAILURE_CLASS);
        SPECS.put("selfheal.classify.sqlstate.<code-or-class>", FAILURE_CLASS);
        SPECS.put("selfheal.classify.vendor-code.<code>", FAILURE_CLASS);
        SPECS.put("selfheal.classify.exception.<fully.qualified.ClassName>", FAILURE_CLASS);
        SPECS.put("selfheal.classify.default", FAILURE_CLASS);
        SPECS.put("selfheal.log.format", new Spec("json", "xml", "jsonl", "1", "text,json"));

        SPECS.put("selfheal.alert.sinks", new Spec("log", "pager", "log,pager", "1", "log;webhook"));
        SPECS.put("selfheal.alert.group-window", DURATION);
        SPECS.put("selfheal.alert.queue-capacity", COUNT);
        SPECS.put("selfheal.alert.timeout", POSITIVE_DURATION);
        SPECS.put("selfheal.alert.retry.max-attempts", COUNT);
        SPECS.put("selfheal.alert.retry.delay", DURATION);
        SPECS.put("selfheal.alert.webhook.url", HTTP_URL);
        SPECS.put("selfheal.alert.webhook.header.<name>", FREE);
        SPECS.put("selfheal.alert.alertmanager.url", HTTP_URL);
        SPECS.put("selfheal.alert.alertmanager.label.<name>", FREE);

        SPECS.put("selfheal.idempotency.url", new Spec("jdbc:h2:mem:selfheal-matrix-keys", INVALID_JDBC_URLS));
        SPECS.put("selfheal.idempotency.username", FREE);
        SPECS.put("selfheal.idempotency.password", FREE);
        SPECS.put("selfheal.idempotency.table", new Spec("matrix_keys_valid", INVALID_TABLES));
        SPECS.put("selfheal.idempotency.pool-size", new Spec("4", "eight", "1.5", "-3", "0", "101", "99999999999"));
        SPECS.put("selfheal.idempotency.claim-timeout", new Spec("30s", "soon", "10", "-5s", "0s", "PT-5S"));
        SPECS.put("selfheal.idempotency.connection-timeout", new Spec("5s", "soon", "10", "-5s", "0s", "249ms", "PT-5S"));

        SPECS.put("selfheal.parked.url", new Spec("jdbc:h2:mem:selfheal-matrix-parked", INVALID_JDBC_URLS));
        SPECS.put("selfheal.parked.username", FREE);
        SPECS.put("selfheal.parked.password", FREE);
        SPECS.put("selfheal.parked.table", new Spec("matrix_parked_valid", INVALID_TABLES));
        SPECS.put("selfheal.parked.sensitive-headers", FREE);
        SPECS.put("selfheal.parked.sensitive-header-mode", new Spec("drop", "hide", "1", "redact,drop"));
        SPECS.put("selfheal.parked.max-body-size", new Spec("10MB", "big", "-1", "0", "10TB", "1.5MB",
                "99999999999999999999", "99999999999GB"));
        // a valid token starts the parked HTTP API on a port: not started here, only refused
        SPECS.put("selfheal.parked.api-token", new Spec(null, "short", "fifteen-chars-x"));
        SPECS.put("selfheal.parked.replay-poll-interval", DURATION);
        SPECS.put("selfheal.parked.replay-timeout", POSITIVE_DURATION);
        SPECS.put("selfheal.parked.auto-replay.enabled", BOOLEAN);
        SPECS.put("selfheal.parked.auto-replay.reasons", new Spec("ATTEMPTS,DURATION", "SOMETIMES", "ATTEMPTS,NEVER", "1"));
        SPECS.put("selfheal.parked.auto-replay.rate", new Spec("0.5", "fast", "0", "-1", "NaN", "Infinity"));
        SPECS.put("selfheal.parked.store-retry.initial-delay", POSITIVE_DURATION);
        SPECS.put("selfheal.parked.store-retry.max-delay", POSITIVE_DURATION);

        for (String prefix : List.of("selfheal.breaker.defaults.", "selfheal.breaker.<name>.")) {
            SPECS.put(prefix + "enabled", BOOLEAN);
            SPECS.put(prefix + "sliding-window-type", new Spec("TIME_BASED", "SLIDING", "1", "COUNT_BASED,TIME_BASED"));
            SPECS.put(prefix + "sliding-window-size", COUNT);
            SPECS.put(prefix + "minimum-calls", COUNT);
            SPECS.put(prefix + "failure-rate-threshold", new Spec("50", "half", "-5", "0", "101", "NaN"));
            SPECS.put(prefix + "consecutive-failures", new Spec("5", "five", "-1", "1.5", "99999999999"));
            SPECS.put(prefix + "wait-in-open", POSITIVE_DURATION);
            SPECS.put(prefix + "wait-in-open-multiplier", MULTIPLIER);
            SPECS.put(prefix + "wait-in-open-max", POSITIVE_DURATION);
            SPECS.put(prefix + "permitted-calls-in-half-open", COUNT);
            SPECS.put(prefix + "automatic-transition", BOOLEAN);
            SPECS.put(prefix + "half-open-wait", POSITIVE_DURATION);
            SPECS.put(prefix + "adaptive-send-rate", BOOLEAN);
            SPECS.put(prefix + "send-rate-burst", POSITIVE_DURATION);
        }
        for (String prefix : List.of("selfheal.jobs.defaults.", "selfheal.jobs.<name>.")) {
            SPECS.put(prefix + "enabled", BOOLEAN);
            SPECS.put(prefix + "retention", POSITIVE_DURATION);
            SPECS.put(prefix + "page", new Spec("parked-share", "sometimes", "1", "any-partial,never"));
            SPECS.put(prefix + "page-parked-count", new Spec("10", "ten", "1.5", "-1", "99999999999", "3 records"));
            SPECS.put(prefix + "page-parked-share", new Spec("5%", "lots", "-0.1", "1.5", "150%", "NaN", "Infinity"));
            SPECS.put(prefix + "runbook", new Spec("https://runbooks.example/inventory-sync", "not a url",
                    "ftp://example.org/runbook", "/relative/runbook", "http://"));
            SPECS.put(prefix + "misfire", new Spec("queue", "overlap", "1", "skip,queue"));
            SPECS.put(prefix + "run-deadline", new Spec("14m", "soon", "10", "-5s", "0s", "PT-5S", "never"));
            SPECS.put(prefix + "run-max-attempts", COUNT);
            SPECS.put(prefix + "time-zone", new Spec("Europe/Berlin", "Mars/Olympus", "+25:00", "Berlin time"));
        }
        // valid alone and together: 20s is at most a third of 2m and of 1m; 1m is 4 of the default heartbeat (15s)
        SPECS.put("selfheal.jobs.heartbeat-interval", new Spec("20s", "soon", "10", "-5s", "0s", "0ms", "5x"));
        SPECS.put("selfheal.jobs.abandon-after", new Spec("1m", "soon", "10", "-5s", "0s", "0ms", "5x", "30s"));
        // clustered=true needs PostgreSQL, and the matrix's store is H2: "false" is the valid example
        SPECS.put("selfheal.schedule.clustered", BOOLEAN);
        SPECS.put("selfheal.schedule.url", new Spec("jdbc:postgresql://127.0.0.1:5432/test", INVALID_JDBC_URLS));
        SPECS.put("selfheal.schedule.username", FREE);
        SPECS.put("selfheal.schedule.password", FREE);
        SPECS.put("selfheal.schedule.table-prefix", new Spec("matrix_qrtz_", "1table", "a-b", "Qrtz_", "t; DROP",
                "x".repeat(40)));
        SPECS.put("selfheal.schedule.check-in-interval", POSITIVE_DURATION);
        SPECS.put("selfheal.schedule.threads", COUNT);
        for (String prefix : List.of("selfheal.budget.defaults.", "selfheal.budget.<name>.")) {
            SPECS.put(prefix + "enabled", BOOLEAN);
            SPECS.put(prefix + "max-tokens", new Spec("20", "many", "-1", "0", "NaN"));
            SPECS.put(prefix + "token-ratio", new Spec("0.2", "tenth", "-0.1", "NaN", "Infinity"));
        }
    }

    /** A valid choice for each user-chosen segment. */
    static final Map<String, String> SEGMENT_EXAMPLE = Map.of(
            "<name>", "inventory", "<status>", "503", "<code-or-class>", "40001", "<code>", "1213",
            "<fully.qualified.ClassName>", "java.io.IOException");
    /** Choices that must be refused in the key itself, by key shape (an upstream or header name can be anything). */
    static final Map<String, List<String>> SEGMENT_INVALID = Map.of(
            "selfheal.classify.http.<status>", List.of("abc", "99", "600", "-1", "5O3"),
            "selfheal.classify.sqlstate.<code-or-class>", List.of("TOOLONG", "40-01", "4000!"),
            "selfheal.classify.vendor-code.<code>", List.of("deadlock", "12.5"),
            "selfheal.classify.exception.<fully.qualified.ClassName>", List.of("1bad.Name", "java..io.IOException",
                    "java.io.-IOException"),
            "selfheal.alert.alertmanager.label.<name>", List.of("1team", "team-name"));

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
        assertThat(SPECS.keySet())
                .as("a selfheal.* key was added: describe it in SPECS (and in SEGMENT_* if it has a new <segment>)")
                .containsAll(SelfhealConfig.knownKeys());
        assertThat(known()).hasSizeGreaterThanOrEqualTo(21);
    }

    /** The described keys the configuration code knows, with their specs. */
    private static Map<String, Spec> known() {
        Map<String, Spec> out = new LinkedHashMap<>();
        for (String key : SelfhealConfig.knownKeys()) {
            if (SPECS.containsKey(key)) {
                out.put(key, SPECS.get(key));
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> aWrongValueStopsStartUpNamingTheKey() {
        List<DynamicTest> tests = new ArrayList<>();
        known().forEach((shape, spec) -> {
            String key = example(shape);
            for (String value : spec.invalid()) {
                tests.add(DynamicTest.dynamicTest(key + "=" + value, () -> expectStartupFailure(key, value, key, null)));
            }
        });
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> aWrongSegmentInTheKeyStopsStartUpNamingTheKey() {
        List<DynamicTest> tests = new ArrayList<>();
        known().forEach((shape, spec) -> {
            if (!SEGMENT_INVALID.containsKey(shape)) {
                return;
            }
            String segment = shape.substring(shape.indexOf('<'), shape.indexOf('>') + 1);
            for (String bad : SEGMENT_INVALID.get(shape)) {
                String key = example(shape.replace(segment, bad));
                String value = spec.valid() == null ? "x" : spec.valid();
                tests.add(DynamicTest.dynamicTest(key, () -> expectStartupFailure(key, value, key, null)));
            }
        });
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
            String valid = SPECS.get(shape).valid() == null ? "x" : SPECS.get(shape).valid();
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
        known().forEach((shape, spec) -> {
            if (spec.valid() != null) {
                main.addOverrideProperty(example(shape), spec.valid());
            }
        });
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
     * Starts the jar's configuration with one extra property and expects it to stop, before Camel starts, with a
     * ConfigException for {@code expectedKey} whose message names it (and suggests {@code suggestion}, when given).
     */
    private static void expectStartupFailure(String key, String value, String expectedKey, String suggestion)
            throws Exception {
        Main main = newMain();
        main.addOverrideProperty(key, value);
        // "at once" as a fact about the start-up, not a wall-clock bound a loaded machine can break: the failure
        // comes while configuring, before camel-main starts the context (no route, no server, no connection yet)
        java.util.concurrent.atomic.AtomicBoolean reachedStart = new java.util.concurrent.atomic.AtomicBoolean();
        main.addMainListener(new org.apache.camel.main.MainListenerSupport() {
            @Override
            public void beforeStart(org.apache.camel.main.BaseMainSupport m) {
                reachedStart.set(true);
            }
        });
        Throwable failure = null;
        try {
            main.start();
        } catch (Throwable t) {
            failure = t;
        } finally {
            main.stop();
        }
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
        assertThat(reachedStart).as("%s=%s stopped start-up only once the context was starting", key, value).isFalse();
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
