package io.selfheal.escalation;

import io.selfheal.json.Json;

import java.time.temporal.TemporalAccessor;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers of a parked message as a flat JSON object of names to text. Sensitive headers are redacted (kept by
 * name, value {@value Redactor#MASK}) or dropped, as configured; values that are not text, numbers, booleans or
 * times (objects a route put there) are left out, since they cannot be replayed from a database anyway.
 */
public final class ParkedHeaders {
    private ParkedHeaders() {
    }

    public static String encode(Map<String, Object> headers, Redactor redactor, ParkedSettings.SensitiveHeaderMode mode) {
        Map<String, Object> out = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (redactor.isSensitiveHeader(name)) {
                if (mode == ParkedSettings.SensitiveHeaderMode.REDACT) {
                    out.put(name, Redactor.MASK);
                }
                return;
            }
            if (value == null) {
                out.put(name, null);
            } else if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean
                    || value instanceof Character || value instanceof Enum<?> || value instanceof TemporalAccessor) {
                out.put(name, value.toString());
            } else if (value instanceof Date d) {
                out.put(name, d.toInstant().toString());
            }
        });
        return Json.write(out);
    }

    /** Headers to re-send on a replay: every stored one except the redacted ones (their value is not known). */
    public static Map<String, String> forReplay(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        decode(json).forEach((k, v) -> {
            if (!Redactor.MASK.equals(v)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /**
     * Parses what {@link #encode} wrote, now and in every earlier version: a flat object whose values are strings or
     * null.
     *
     * @throws IllegalArgumentException when the text is not such an object
     */
    public static Map<String, String> decode(String json) {
        if (json == null || json.isBlank()) {
            return new LinkedHashMap<>();
        }
        try {
            return Json.readTextMap(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed headers JSON: " + e.getMessage(), e);
        }
    }
}
