package io.selfheal.escalation;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Parked headers are stored as JSON in users' databases: what every earlier version wrote must still decode, and what
 * is written now is the same text.
 */
class ParkedHeadersTest {
    /** Written by the hand-written encoder before Jackson, for {@link #headers()}. */
    private static final String OLD_FORMAT = "{\"orderId\":\"7\",\"Idempotency-Key\":\"idem-7\",\"Authorization\":\"***\","
            + "\"note\":\"say \\\"hi\\\"\\n\\tback\\\\slash \\u0001 \\u0008 \\u000c \\u001f ünïcödé 😀\","
            + "\"CamelFileLength\":\"42\",\"at\":\"2026-01-02T03:04:05Z\",\"empty\":\"\",\"nothing\":null}";

    private static Map<String, Object> headers() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("orderId", "7");
        h.put("Idempotency-Key", "idem-7");
        h.put("Authorization", "Bearer secret-token");
        h.put("note", "say \"hi\"\n\tback\\slash \u0001 \b \f \u001f ünïcödé 😀");
        h.put("CamelFileLength", 42L);
        h.put("at", Date.from(Instant.parse("2026-01-02T03:04:05Z")));
        h.put("empty", "");
        h.put("nothing", null);
        h.put("object", List.of("not kept"));
        return h;
    }

    private static Map<String, String> decoded() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("orderId", "7");
        d.put("Idempotency-Key", "idem-7");
        d.put("Authorization", Redactor.MASK);
        d.put("note", "say \"hi\"\n\tback\\slash \u0001 \b \f \u001f ünïcödé 😀");
        d.put("CamelFileLength", "42");
        d.put("at", "2026-01-02T03:04:05Z");
        d.put("empty", "");
        d.put("nothing", null);
        return d;
    }

    @Test
    void encodesTheSameTextAsBefore() {
        assertThat(ParkedHeaders.encode(headers(), Redactor.defaults(), ParkedSettings.SensitiveHeaderMode.REDACT))
                .isEqualTo(OLD_FORMAT);
    }

    @Test
    void decodesHeadersStoredByEarlierVersions() {
        assertThat(ParkedHeaders.decode(OLD_FORMAT)).containsExactlyEntriesOf(decoded());
        assertThat(ParkedHeaders.decode("{}")).isEmpty();
        assertThat(ParkedHeaders.decode(null)).isEmpty();
        assertThat(ParkedHeaders.decode("  ")).isEmpty();
    }

    @Test
    void decodesEveryFormTheOldParserAccepted() {
        String spaced = " {\n  \"a\" : \"x\\/y\" ,\n\t\"b\":null , \"c\" : \"\\u00E9\\b\\f\\r\" } ";
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("a", "x/y");
        expected.put("b", null);
        expected.put("c", "é\b\f\r");
        assertThat(ParkedHeaders.decode(spaced)).containsExactlyEntriesOf(expected);
    }

    @Test
    void replaysEveryStoredHeaderButTheRedactedOnes() {
        Map<String, String> replayed = ParkedHeaders.forReplay(OLD_FORMAT);
        assertThat(replayed).doesNotContainKey("Authorization").containsEntry("orderId", "7").containsKey("nothing");
    }

    @Test
    void refusesWhatIsNotAFlatObjectOfText() {
        for (String bad : List.of("{\"a\":1}", "{\"a\":{\"b\":\"c\"}}", "[\"a\"]", "{\"a\":\"b\"", "not json")) {
            assertThatThrownBy(() -> ParkedHeaders.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("malformed headers JSON");
        }
    }
}
