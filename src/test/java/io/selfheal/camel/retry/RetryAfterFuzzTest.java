package io.selfheal.camel.retry;

import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;


import io.selfheal.classify.Classification;
import io.selfheal.classify.FailureClass;
import io.selfheal.classify.FailureClassifier;
import io.selfheal.retry.AttemptHistory;
import io.selfheal.retry.BackoffCurve;
import io.selfheal.retry.DelaySource;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.retry.RetryAfter;
import io.selfheal.retry.RetryDecider;
import io.selfheal.retry.RetryDecision;
import io.selfheal.retry.RetryPolicy;
import io.selfheal.retry.StatedWait;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.support.DefaultExchange;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Retry-After fuzz: 10,000 random and adversarial values go through the path the route takes (the classifier reads
 * the header, RetryAfter parses it against the Date header, RetryDecider decides with a policy), and again through the
 * route's own {@link FailureRecorder} on a real exchange. Nothing throws; every decision is a wait in
 * [0, retry-after-max] from the header, a fallback to the backoff inside the curve's bounds, or a give-up with
 * RETRY_AFTER_BEYOND_CAP. Where the generator knows the wait a value means, the decision must be exactly that wait.
 * <p>
 * Seeded: the seed is printed; rerun one with {@code -Dselfheal.fuzz.seed=<seed>}.
 */
class RetryAfterFuzzTest {
    private static final int VALUES = 10_000;
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final DateTimeFormatter IMF = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final DateTimeFormatter RFC_850 =
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH);

    private static long seed;
    private static List<Case> cases;
    @RegisterExtension
    static final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private static CamelContext ctx;
    private static Level attemptsLevel;

    /** One fuzz input: the header values, and the wait they mean when the generator knows it (else empty). */
    record Case(String kind, String retryAfter, String responseDate, Optional<Duration> meant) {
        String describe() {
            return kind + " Retry-After=" + quote(retryAfter) + " Date=" + quote(responseDate) + " (seed " + seed + ")";
        }
    }

    @BeforeAll
    static void generate() throws Exception {
        String configured = System.getProperty("selfheal.fuzz.seed");
        seed = configured != null ? Long.parseLong(configured) : System.nanoTime();
        System.out.println("Retry-After fuzz seed: " + seed + " (rerun with -Dselfheal.fuzz.seed=" + seed + ")");
        cases = new Generator(new SplittableRandom(seed)).cases(VALUES);
        ctx = contexts.create(TestContexts.SCALED);
        // 10,000 failed attempts would log 10,000 WARN lines: keep the attempt log quiet for this test only
        attemptsLevel = LogManager.getLogger(FailureRecorder.ATTEMPTS_LOG.getName()).getLevel();
        Configurator.setLevel(FailureRecorder.ATTEMPTS_LOG.getName(), Level.ERROR);
    }

    @AfterAll
    static void restore() throws Exception {
        Configurator.setLevel(FailureRecorder.ATTEMPTS_LOG.getName(), attemptsLevel);
    }

    @Test
    void theGeneratorCoversEveryKindOfValue() {
        Map<String, Integer> byKind = new LinkedHashMap<>();
        cases.forEach(c -> byKind.merge(c.kind(), 1, Integer::sum));
        System.out.println("Retry-After fuzz cases by kind: " + byKind);
        assertThat(cases).hasSize(VALUES);
        assertThat(byKind.keySet()).contains("delta-seconds", "huge", "negative", "fraction", "imf-fixdate", "rfc850",
                "asctime", "past", "far-future", "garbage", "long", "control", "unicode-digits", "mutated", "whitespace");
        assertThat(byKind.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(50));
    }

    /** The decision path of FailureRecorder, as plain calls, under three policies (default, scaled, no cap). */
    @Test
    void parseAndDecideNeverThrowAndStayInBounds() {
        List<RetryPolicy> policies = List.of(RetryPolicy.defaults(),
                RetryPolicy.builder().initialDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(300))
                        .recoverableInitialDelay(Duration.ofMillis(100)).maxDuration(Duration.ofSeconds(20))
                        .retryAfterMax(Duration.ofSeconds(5)).build(),
                RetryPolicy.builder().retryAfterMax(Duration.ZERO).build());
        FailureClassifier classifier = FailureClassifier.defaults().withHttpExtractor(HttpFailures::extract);
        AttemptHistory oneFailure = AttemptHistory.none().record("HTTP 503", FailureClass.RECOVERABLE, NOW);
        for (Case c : cases) {
            try {
                Classification cl = classifier.classify(httpFailure(c));
                Optional<Duration> parsed = cl.retryAfter()
                        .flatMap(v -> RetryAfter.parse(v, cl.http().flatMap(h -> h.date()).orElse(null), NOW));
                assertParsed(c, parsed);
                for (RetryPolicy policy : policies) {
                    RetryDecision d = RetryDecider.decide(policy, oneFailure, cl.failureClass(),
                            parsed.map(StatedWait::retryAfter), NOW, new SplittableRandom(seed));
                    assertDecision(c, policy, cl.failureClass(), parsed, d, 1);
                }
            } catch (AssertionError e) {
                throw e;
            } catch (Throwable t) {
                fail("threw on " + c.describe(), t);
            }
        }
    }

    /** The same values through the route's own failure processor on a real exchange, with the context's policy. */
    @Test
    void theRoutesFailureRecorderNeverThrowsAndStaysInBounds() {
        FailureRecorder recorder = new FailureRecorder();
        RetryPolicy policy = SelfhealRuntime.of(ctx).config().defaultPolicy();
        for (Case c : cases) {
            Exchange exchange = new DefaultExchange(ctx);
            exchange.setProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, "fuzz");
            exchange.setProperty(ExchangePropertyKey.TO_ENDPOINT, "http://127.0.0.1:1/fuzz");
            exchange.setException(httpFailure(c));
            try {
                recorder.process(exchange);
            } catch (Throwable t) {
                fail("FailureRecorder threw on " + c.describe(), t);
            }
            RetryDecision d = ExchangeState.decision(exchange);
            Classification cl = ExchangeState.classification(exchange);
            // the route has no clock injected here: the wait an HTTP-date means is relative to the real now,
            // so only the bounds are checked, not the exact value
            assertDecision(c, policy, cl.failureClass(), null, d, 1);
            Object delayHeader = exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY);
            check(d.retry() ? Long.valueOf(d.delay().toMillis()).equals(delayHeader) : delayHeader == null,
                    "the redelivery delay header " + delayHeader + " does not carry the decision", c, policy, d);
        }
    }

    private static HttpOperationFailedException httpFailure(Case c) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Retry-After", c.retryAfter());
        if (c.responseDate() != null) {
            headers.put("Date", c.responseDate());
        }
        return new HttpOperationFailedException("http://127.0.0.1:1/fuzz", 503, "Service Unavailable", null, headers, "");
    }

    private static void assertParsed(Case c, Optional<Duration> parsed) {
        if (parsed.isPresent() && parsed.get().isNegative()) {
            fail("negative wait " + parsed.get() + " for " + c.describe());
        }
        if (c.meant().isPresent() && !parsed.equals(c.meant())) {
            fail("read as " + parsed + ", meant " + c.meant().get() + ": " + c.describe());
        }
    }

    /**
     * @param parsed the wait the header was read as (empty: unreadable), or null when the caller does not know it
     */
    private static void assertDecision(Case c, RetryPolicy policy, FailureClass failureClass, Optional<Duration> parsed,
                                       RetryDecision d, int failures) {
        // plain checks, and the description only built on a failure: 40,000 decisions are checked
        if (d == null) {
            fail("no decision for " + c.describe());
        }
        if (!d.retry()) {
            check(d.reason() == GiveUpReason.RETRY_AFTER_BEYOND_CAP, "gave up for another reason", c, policy, d);
            if (parsed != null) {
                check(parsed.isPresent(), "gave up on a wait it could not read", c, policy, d);
                check(parsed.get().compareTo(policy.retryAfterMax()) > 0, "gave up on a wait within the cap", c, policy, d);
            }
            return;
        }
        check(!d.delay().isNegative(), "negative delay", c, policy, d);
        if (d.source() == DelaySource.RETRY_AFTER) {
            check(d.delay().compareTo(policy.retryAfterMax()) <= 0, "waits beyond retry-after-max", c, policy, d);
            if (parsed != null) {
                check(parsed.isPresent() && parsed.get().equals(d.delay()), "not the stated wait " + parsed, c, policy, d);
            }
        } else {
            check(d.source() == DelaySource.BACKOFF, "unexpected delay source", c, policy, d);
            if (parsed != null) {
                check(parsed.isEmpty(), "a readable Retry-After fell back to the backoff", c, policy, d);
            }
            BackoffCurve curve = failureClass == FailureClass.RECOVERABLE ? policy.recoverableCurve() : policy.transientCurve();
            long ms = d.delay().toMillis();
            check(ms >= curve.lowerBoundMillis(failures) && ms <= curve.upperBoundMillis(failures),
                    "backoff outside the curve " + curve, c, policy, d);
        }
    }

    private static void check(boolean ok, String problem, Case c, RetryPolicy policy, RetryDecision d) {
        if (!ok) {
            fail(problem + ": " + d + " for " + c.describe() + " under " + policy);
        }
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        String shown = s.length() > 80 ? s.substring(0, 80) : s;
        for (char ch : shown.toCharArray()) {
            sb.append(ch < 0x20 || ch > 0x7e ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
        }
        sb.append('"');
        if (s.length() > 80) {
            sb.append("...(").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }

    /** Makes the values: valid ones whose meaning is known, and every kind of broken one. */
    static final class Generator {
        private final SplittableRandom r;

        Generator(SplittableRandom r) {
            this.r = r;
        }

        List<Case> cases(int n) {
            List<Case> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(next(i % 15));
            }
            return out;
        }

        private Case next(int kind) {
            return switch (kind) {
                case 0 -> {
                    long s = r.nextInt(4) == 0 ? r.nextLong(0, 1_000_000_000_000L) : r.nextLong(0, 600);
                    yield new Case("delta-seconds", Long.toString(s), date(), Optional.of(Duration.ofSeconds(s)));
                }
                case 1 -> new Case("huge", pick("9".repeat(13), "9".repeat(19), "9".repeat(40),
                        Long.toString(Long.MAX_VALUE), "9223372036854775808", "18446744073709551616",
                        "1" + "0".repeat(12 + r.nextInt(200)), Long.toString(r.nextLong(1_000_000_000_000L, Long.MAX_VALUE))),
                        date(), Optional.empty());
                case 2 -> new Case("negative", pick("-1", "-0", "-" + r.nextLong(1, Long.MAX_VALUE), "−5", "- 5",
                        "-9223372036854775808"), date(), Optional.empty());
                case 3 -> new Case("fraction", pick("1.5", ".5", "0.0", "1e3", "1E-3", "0x10", "+3", "3,5", "1_000",
                        r.nextInt(1000) + "." + r.nextInt(1000), "NaN", "Infinity"), date(), Optional.empty());
                case 4 -> {
                    ZonedDateTime at = near();
                    String header = date();
                    yield new Case("imf-fixdate", IMF.format(at), header, Optional.of(meant(at.toInstant(), header)));
                }
                case 5 -> {
                    ZonedDateTime at = near();
                    String header = date();
                    yield new Case("rfc850", RFC_850.format(at), header, Optional.of(meant(at.toInstant(), header)));
                }
                case 6 -> {
                    ZonedDateTime at = near();
                    String header = date();
                    yield new Case("asctime", ASCTIME.format(at.toLocalDateTime()), header,
                            Optional.of(meant(at.toInstant(), header)));
                }
                case 7 -> {
                    ZonedDateTime at = ZonedDateTime.ofInstant(NOW.minusSeconds(r.nextLong(1, 3_000_000_000L)), ZoneOffset.UTC);
                    at = at.getYear() < 1 ? at.withYear(1) : at;
                    yield new Case("past", r.nextBoolean() ? IMF.format(at) : ASCTIME.format(at.toLocalDateTime()), null,
                            Optional.of(Duration.ZERO));
                }
                case 8 -> {
                    ZonedDateTime at = ZonedDateTime.of(LocalDateTime.of(r.nextInt(2027, 10_000), 1 + r.nextInt(12),
                            1 + r.nextInt(28), r.nextInt(24), r.nextInt(60), r.nextInt(60)), ZoneOffset.UTC);
                    yield new Case("far-future", r.nextBoolean() ? IMF.format(at) : ASCTIME.format(at.toLocalDateTime()),
                            r.nextBoolean() ? null : "Thu, 01 Jan 1970 00:00:00 GMT",
                            Optional.empty());
                }
                case 9 -> new Case("garbage", pick("soon", "later", "tomorrow", "Sat, 99 Nov 2026 12:00:00 GMT",
                        "Mon, 28 Nov 2026 12:00:00 GMT", "Sat, 28 Nov 2026 25:61:61 GMT", "Sat, 28 Foo 2026 12:00:00 GMT",
                        "Sat, 28 Nov 2026 12:00:00 PST", "2026-11-28T12:00:00Z", "PT5S", "120s", "2 minutes", "null",
                        "undefined", "{\"wait\":5}", "' OR 1=1 --", "${jndi:ldap://x}", "%00", "%s%s%s%n", printable(1, 40)),
                        garbageDate(), Optional.empty());
                case 10 -> new Case("long", pick("1".repeat(65), "9".repeat(100_000), "Sat, 28 Nov 2026 12:00:00 GMT"
                        + " ".repeat(50) + "x", printable(65, 5_000), "0".repeat(10_000) + "5"), date(), Optional.empty());
                case 11 -> new Case("control", pick("\u0000", "5\u0000", "\u00005", "1\r\nSet-Cookie: a=b", "\u001b[31m5",
                        "\u0007", "5\u007f", "\t\t", "\r\n", "5\u2028", "\ufeff5", "\ud800", "5\udfff"), garbageDate(),
                        Optional.empty());
                case 12 -> new Case("unicode-digits", pick("\u0661\u0662\u0660", "\uff11\uff12\uff10", "\u0967\u0968",
                        "\u00b9\u00b2", "\u2460", "\u0665", "1\u0662", "\ud835\udfcf\ud835\udfd0"), date(), Optional.empty());
                case 13 -> new Case("mutated", mutate(pick(IMF.format(near()), Long.toString(r.nextLong(0, 600)),
                        ASCTIME.format(near().toLocalDateTime()), RFC_850.format(near()))), date(), Optional.empty());
                default -> {
                    long s = r.nextLong(0, 600);
                    String pad = pick(" ", "  ", "\t", " \t ");
                    yield new Case("whitespace", pad + s + pad, date(), Optional.of(Duration.ofSeconds(s)));
                }
            };
        }

        /** A moment within a day around now, whole seconds, in the recent past or the near future. */
        private ZonedDateTime near() {
            return ZonedDateTime.ofInstant(NOW.plusSeconds(r.nextLong(-3_600, 86_400)), ZoneOffset.UTC);
        }

        /** The response's Date header: absent, our now, a skewed clock, or unreadable. */
        private String date() {
            return switch (r.nextInt(4)) {
                case 0 -> null;
                case 1 -> IMF.format(ZonedDateTime.ofInstant(NOW, ZoneOffset.UTC));
                case 2 -> IMF.format(ZonedDateTime.ofInstant(NOW.plusSeconds(r.nextLong(-7_200, 7_200)), ZoneOffset.UTC));
                default -> garbageDate();
            };
        }

        private String garbageDate() {
            return pick(null, "yesterday", "", "\u0000", "Sat, 99 Nov 2026 12:00:00 GMT", printable(0, 100),
                    "x".repeat(r.nextInt(1, 20_000)));
        }

        /** What the generated date means: read against the Date header if readable, else our now; never negative. */
        private static Duration meant(Instant at, String responseDate) {
            Instant reference = NOW;
            if (responseDate != null) {
                try {
                    reference = ZonedDateTime.parse(responseDate, IMF).toInstant();
                } catch (RuntimeException e) {
                    reference = NOW;
                }
            }
            Duration d = Duration.between(reference, at);
            return d.isNegative() ? Duration.ZERO : d;
        }

        private String mutate(String s) {
            StringBuilder sb = new StringBuilder(s);
            int edits = 1 + r.nextInt(3);
            for (int i = 0; i < edits && sb.length() > 0; i++) {
                int at = r.nextInt(sb.length());
                switch (r.nextInt(3)) {
                    case 0 -> sb.deleteCharAt(at);
                    case 1 -> sb.insert(at, (char) r.nextInt(0, 0x3000));
                    default -> sb.setCharAt(at, (char) r.nextInt(0, 0x3000));
                }
            }
            return sb.toString();
        }

        private String printable(int min, int max) {
            int n = min + r.nextInt(Math.max(1, max - min + 1));
            StringBuilder sb = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                sb.append((char) r.nextInt(0x20, 0x7f));
            }
            return sb.toString();
        }

        @SafeVarargs
        private <T> T pick(T... options) {
            return options[r.nextInt(options.length)];
        }
    }
}
