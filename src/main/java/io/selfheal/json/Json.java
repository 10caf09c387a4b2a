package io.selfheal.json;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every JSON Selfheal writes or reads, through one Jackson mapper: alerts, log fields, the parked HTTP API's answers
 * and the headers stored with a parked message. Values are maps, lists, strings, numbers, booleans and nulls; map
 * entries keep their order. The text is compact and escaped as Selfheal always wrote it (control characters other
 * than {@code \n}, {@code \r} and {@code \t} as a backslash, "u" and four lower-case hex digits), so stored records
 * and the alerts people match on read the same.
 */
public final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder(new JsonFactoryBuilder()
                    .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                    .characterEscapes(new SelfhealEscapes())
                    .build())
            // text means a JSON string: a number or boolean where text belongs is refused, not turned into text
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();
    /** For rows read from messages: decimals stay exact (10.50 is not the double 10.5). */
    private static final com.fasterxml.jackson.databind.ObjectReader OBJECT_READER = MAPPER
            .readerFor(new TypeReference<LinkedHashMap<String, Object>>() {
            })
            .with(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final TypeReference<LinkedHashMap<String, String>> TEXT_MAP = new TypeReference<>() {
    };

    private Json() {
    }

    /**
     * Builds the mapper's serializers and deserializers for what Selfheal writes and reads: Jackson's first use loads
     * and introspects a few hundred classes, which the first give-up would otherwise pay on its worker thread.
     */
    public static void warmUp() {
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("text", "a\u0008b");
        sample.put("number", 1L);
        sample.put("list", java.util.List.of("x", 2));
        sample.put("nested", Map.of("k", "v"));
        sample.put("missing", null);
        readTextMap(write(Map.of("k", "v")));
        write(sample);
    }

    /** The value as compact JSON. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * A JSON object, in its order: values are strings, numbers (Integer, Long, BigInteger, or BigDecimal for decimals),
     * booleans, nulls, and nested maps and lists.
     *
     * @throws IllegalArgumentException when the text is not one JSON object
     */
    public static Map<String, Object> readObject(String json) {
        Map<String, Object> out;
        try {
            out = OBJECT_READER.readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getMessage(), e);
        }
        if (out == null) {
            throw new IllegalArgumentException("not a JSON object: null");
        }
        return out;
    }

    /**
     * A flat JSON object whose values are text or null, in its order.
     *
     * @throws IllegalArgumentException when the text is not such an object
     */
    public static Map<String, String> readTextMap(String json) {
        Map<String, String> out;
        try {
            out = MAPPER.readValue(json, TEXT_MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
        if (out == null) {
            throw new IllegalArgumentException("null, not an object");
        }
        return out;
    }

    /** Jackson's standard escapes, except that backspace and form feed are written as hex escapes too, as Selfheal always wrote them. */
    private static final class SelfhealEscapes extends CharacterEscapes {
        private final int[] ascii;

        SelfhealEscapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii['\b'] = ESCAPE_STANDARD;
            ascii['\f'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }
}
