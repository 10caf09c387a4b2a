package io.selfheal.escalation;

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

    public static String encode(Map<String, Object> headers, Redactor redactor, ParkedConfig.SensitiveHeaderMode mode) {
        Map<String, Object> out = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (redactor.isSensitiveHeader(name)) {
                if (mode == ParkedConfig.SensitiveHeaderMode.REDACT) {
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

    /** Parses what {@link #encode} wrote: a flat object whose values are strings or null. */
    public static Map<String, String> decode(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        if (json == null || json.isBlank()) {
            return out;
        }
        Parser p = new Parser(json);
        p.skipWs();
        p.expect('{');
        p.skipWs();
        if (p.peek() == '}') {
            return out;
        }
        while (true) {
            p.skipWs();
            String key = p.string();
            p.skipWs();
            p.expect(':');
            p.skipWs();
            String value = p.peek() == 'n' ? p.nullLiteral() : p.string();
            out.put(key, value);
            p.skipWs();
            char c = p.next();
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                throw new IllegalArgumentException("malformed headers JSON at " + (p.pos - 1));
            }
        }
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        char peek() {
            if (pos >= s.length()) {
                throw new IllegalArgumentException("malformed headers JSON: unexpected end");
            }
            return s.charAt(pos);
        }

        char next() {
            char c = peek();
            pos++;
            return c;
        }

        void skipWs() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        void expect(char c) {
            if (next() != c) {
                throw new IllegalArgumentException("malformed headers JSON: expected '" + c + "' at " + (pos - 1));
            }
        }

        String nullLiteral() {
            if (!s.startsWith("null", pos)) {
                throw new IllegalArgumentException("malformed headers JSON at " + pos);
            }
            pos += 4;
            return null;
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw new IllegalArgumentException("malformed headers JSON: bad escape at " + pos);
                }
            }
        }
    }
}
