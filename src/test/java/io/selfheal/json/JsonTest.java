package io.selfheal.json;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {
    @Test
    void anObjectIsReadInItsOrderWithExactDecimals() {
        Map<String, Object> row = Json.readObject("{\"id\":7,\"amount\":10.50,\"paid\":true,\"tags\":[\"a\"],\"note\":null}");
        assertThat(row.keySet()).containsExactly("id", "amount", "paid", "tags", "note");
        assertThat(row.get("id")).isEqualTo(7);
        assertThat(row.get("amount")).isEqualTo(new BigDecimal("10.50"));
        assertThat(row.get("paid")).isEqualTo(true);
        assertThat(row.get("tags")).isEqualTo(List.of("a"));
        assertThat(row).containsEntry("note", null);
    }

    @Test
    void onlyAnObjectIsAnObject() {
        for (String notAnObject : new String[] {"[1,2]", "42", "null", "order 7", "{\"id\":"}) {
            assertThatThrownBy(() -> Json.readObject(notAnObject)).as(notAnObject)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a JSON object");
        }
    }

    @Test
    void writesWhatTheHandWrittenWriterWroteForEveryCharacterBelowTheFirstSurrogate() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0xD800; c++) {
            all.append(c);
        }
        String text = all.toString();
        assertThat(Json.write(text)).isEqualTo(LegacyWriter.write(text));
        assertThat(Json.write(Map.of(text, text))).isEqualTo(LegacyWriter.write(Map.of(text, text)));
    }

    @Test
    void writesNestedMapsListsNumbersBooleansAndNullsAsBefore() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("summary", "tried 3 times \"over\" 2s\\n, then gave up\n\ttab \u0001 \b \f é 日本 😀");
        m.put("attempts", 3);
        m.put("elapsedMillis", 12_345_678_901L);
        m.put("rate", 2.5);
        m.put("big", 1.0E10);
        m.put("price", new BigDecimal("10.90"));
        m.put("grouped", true);
        m.put("parkedId", null);
        m.put("outcomes", List.of("HTTP 503", "ConnectException"));
        m.put("empty", List.of());
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("a", null);
        inner.put("b", new ArrayList<>(Arrays.asList("x", null)));
        m.put("atFailure", inner);
        List<Object> top = List.of(m, Map.of(), "last");

        assertThat(Json.write(m)).isEqualTo(LegacyWriter.write(m));
        assertThat(Json.write(top)).isEqualTo(LegacyWriter.write(top));
        assertThat(Json.write(null)).isEqualTo("null");
    }

    @Test
    void readsAFlatObjectOfTextInItsOrder() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("b", "2");
        expected.put("a", null);
        expected.put("c", "é\"");
        assertThat(Json.readTextMap("{\"b\":\"2\",\"a\":null,\"c\":\"\\u00e9\\\"\"}"))
                .containsExactlyEntriesOf(expected);
    }

    @Test
    void refusesWhatIsNotAFlatObjectOfText() {
        for (String bad : List.of("", "null", "[\"a\"]", "{\"a\":1}", "{\"a\":true}", "{\"a\":{\"b\":\"c\"}}",
                "{\"a\":[\"b\"]}", "{\"a\":\"b\"", "{a:\"b\"}")) {
            assertThatThrownBy(() -> Json.readTextMap(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readsNestedObjectsInTheirOrderAndWhatItWrote() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("z", 1);
        nested.put("a", List.of("x", new java.math.BigDecimal("2.5"), true)); // decimals read back exact
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("records", 5_000_000_000L);
        value.put("nested", nested);
        value.put("none", null);
        Map<String, Object> read = Json.readObject(Json.write(value));
        assertThat(read).containsExactlyEntriesOf(value);
        assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) read.get("nested")).keySet())).containsExactly("z", "a");
        for (String bad : List.of("", "null", "[1]", "{\"a\":1", "1")) {
            assertThatThrownBy(() -> Json.readObject(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** The writer Selfheal used before Jackson, kept as the reference its output is compared with. */
    private static final class LegacyWriter {
        static String write(Object value) {
            StringBuilder sb = new StringBuilder();
            write(sb, value);
            return sb.toString();
        }

        private static void write(StringBuilder sb, Object value) {
            if (value == null) {
                sb.append("null");
            } else if (value instanceof Number || value instanceof Boolean) {
                sb.append(value);
            } else if (value instanceof Map<?, ?> map) {
                sb.append('{');
                Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<?, ?> e = it.next();
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(':');
                    write(sb, e.getValue());
                    if (it.hasNext()) {
                        sb.append(',');
                    }
                }
                sb.append('}');
            } else if (value instanceof Collection<?> list) {
                sb.append('[');
                Iterator<?> it = list.iterator();
                while (it.hasNext()) {
                    write(sb, it.next());
                    if (it.hasNext()) {
                        sb.append(',');
                    }
                }
                sb.append(']');
            } else {
                string(sb, String.valueOf(value));
            }
        }

        private static void string(StringBuilder sb, String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }
}
