package io.selfheal.escalation;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from what Selfheal shows people: header values, URLs and free text such as exception messages.
 * Everything that leaves the process (logs, alerts, parked-message views, metrics) goes through one of these.
 */
public final class Redactor {

    public static final String MASK = "***";

    /** Header names whose values are secrets in every deployment. */
    public static final Set<String> DEFAULT_SENSITIVE_HEADERS = Set.of(
            "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key", "x-auth-token",
            "x-amz-security-token", "x-csrf-token");

    /*
     * Every pattern below runs on text an upstream chose (error bodies, exception messages), so each is linear in its
     * input: a quantifier that scans an unbounded run and then backtracks looking for a delimiter ("://", "=") makes
     * a regex quadratic, and a long hostile error body would then hold a redelivery thread for minutes. So names, schemes and gaps have bounded lengths; only values, which end a match, are
     * unbounded.
     */

    /** A name that says its value is a secret, in a query string, a JSON field or an XML element (at most 64+64). */
    private static final String SECRET_NAME = "[a-z0-9_.-]{0,64}?(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|"
            + "access[_-]?key|private[_-]?key|signature|sig|auth|credential|session|cookie)[a-z0-9_.-]{0,64}";
    /**
     * Header names that say their value is a secret (the name fragments above, without short ones such as "sig" that
     * would catch ordinary names). Not "key" alone: Idempotency-Key must be kept, and replayed.
     */
    private static final Pattern SECRET_HEADER_NAME = Pattern.compile(
            "(?i)(password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|session|"
                    + "signature|auth)");
    /**
     * {@code token%3Dxyz} in a URL-encoded query inside another URL or a form body. As for plain parameters, a name
     * starts where a run of name characters starts: tried at every character, the name's bounded prefix made a long
     * run of them cost a thousand steps a character.
     */
    private static final Pattern ENCODED_PARAM = Pattern.compile(
            "(?i)(?<![a-z0-9_.-])(" + SECRET_NAME + ")(%3D)([^&\\s\"'<>%]*(?:%(?!26)[^&\\s\"'<>%]*)*)");
    /**
     * Query and form parameters whose names say they are secrets: {@code ?token=xyz&api_key=xyz}. A name starts where
     * a run of name characters starts (not at every word boundary inside "a.b.c", which is as slow as it is useless).
     */
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)([?&;]|(?<![a-z0-9_.-]))(" + SECRET_NAME + ")=([^&\\s\"'<>;,)]*)");
    /** user:password@ in a URL (a scheme is at most 32 characters, user and password at most 256 each). */
    private static final Pattern URL_USERINFO = Pattern.compile(
            "(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}://)([^/@\\s:]{0,256}):([^/@\\s]{0,256})@");
    /** "Bearer xyz", "Basic xyz" as they appear in messages and header dumps. */
    private static final Pattern AUTH_SCHEME = Pattern.compile("(?i)\\b(bearer|basic|digest|token)\\s{1,16}[A-Za-z0-9._~+/=-]{4,}");
    /** "Authorization: xyz" or "Cookie=xyz" as they appear in header dumps inside messages. */
    private static final Pattern HEADER_IN_TEXT = Pattern.compile(
            "(?i)\\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)(\\s{0,16}[:=]\\s{0,16})([^\\r\\n,}\\]]+)");
    /**
     * A secret field in JSON (or a JS/Python-style dump) that an upstream echoes back in its error body:
     * {@code "api_key": "xyz"}, {@code 'password':'xyz'}, {@code "token": 12345}. The query-parameter pattern needs
     * an '=' and so does not see these.
     */
    private static final Pattern QUOTED_FIELD = Pattern.compile(
            "(?i)([\"'])(" + SECRET_NAME + ")\\1(\\s{0,16}:\\s{0,16})(?:([\"'])(?:\\\\.|(?!\\4)[^\\\\\\r\\n])*\\4|[^,}\\]\\s\"']+)");
    /** The same in XML: {@code <password>xyz</password>}, {@code <ns:apiKey>xyz</ns:apiKey>}. */
    private static final Pattern XML_ELEMENT = Pattern.compile(
            "(?i)<((?:[a-z0-9_-]{1,32}:)?" + SECRET_NAME + ")(\\s[^<>]*)?>[^<]*</\\1>");

    private static final Redactor DEFAULT = new Redactor(Set.of());

    private final Set<String> sensitiveHeaders;

    public Redactor(Set<String> extraSensitiveHeaders) {
        Set<String> all = new TreeSet<>(DEFAULT_SENSITIVE_HEADERS);
        for (String h : extraSensitiveHeaders) {
            all.add(h.toLowerCase(Locale.ROOT).trim());
        }
        this.sensitiveHeaders = Set.copyOf(all);
    }

    public static Redactor defaults() {
        return DEFAULT;
    }

    public Set<String> sensitiveHeaders() {
        return sensitiveHeaders;
    }

    /**
     * A header whose value is a secret: a known one, a configured one, or one named like a secret (an HTTP consumer
     * turns query parameters into headers, so {@code ?token=...} arrives as a header named {@code token}).
     */
    public boolean isSensitiveHeader(String name) {
        return name != null && (sensitiveHeaders.contains(name.toLowerCase(Locale.ROOT))
                || SECRET_HEADER_NAME.matcher(name).find());
    }

    /** Masks the password in user-info and secret-looking query parameters. */
    public String url(String url) {
        if (url == null) {
            return null;
        }
        return text(url);
    }

    /** Masks every secret pattern this class knows in free text (exception messages, response bodies). */
    public String text(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String s = URL_USERINFO.matcher(text).replaceAll("$1$2:" + Matcher.quoteReplacement(MASK) + "@");
        s = AUTH_SCHEME.matcher(s).replaceAll("$1 " + Matcher.quoteReplacement(MASK));
        s = HEADER_IN_TEXT.matcher(s).replaceAll("$1$2" + Matcher.quoteReplacement(MASK));
        for (String header : sensitiveHeaders) {
            if (!DEFAULT_SENSITIVE_HEADERS.contains(header)) {
                s = Pattern.compile("(?i)\\b(" + Pattern.quote(header) + ")(\\s{0,16}[:=]\\s{0,16})([^\\r\\n,}\\]]+)")
                        .matcher(s).replaceAll("$1$2" + Matcher.quoteReplacement(MASK));
            }
        }
        s = QUOTED_FIELD.matcher(s).replaceAll("$1$2$1$3$4" + Matcher.quoteReplacement(MASK) + "$4");
        s = XML_ELEMENT.matcher(s).replaceAll("<$1$2>" + Matcher.quoteReplacement(MASK) + "</$1>");
        s = SECRET_PARAM.matcher(s).replaceAll("$1$2=" + Matcher.quoteReplacement(MASK));
        s = ENCODED_PARAM.matcher(s).replaceAll("$1$2" + Matcher.quoteReplacement(MASK));
        return s;
    }

    /** A copy of the headers with sensitive values masked and the others' text redacted. */
    public Map<String, String> headers(Map<String, ?> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        if (headers == null) {
            return out;
        }
        headers.forEach((k, v) -> {
            if (isSensitiveHeader(k)) {
                out.put(k, MASK);
            } else {
                out.put(k, v == null ? null : text(String.valueOf(v)));
            }
        });
        return out;
    }

    /** Redacts, then cuts to at most {@code max} characters, saying how much was cut. */
    public String sample(String text, int max) {
        if (text == null) {
            return null;
        }
        // only the first max characters are shown: redact a window a little larger (so a secret that starts inside
        // them is still recognised whole), not an error body of any size
        int window = (int) Math.min(text.length(), Math.max(0, max) * 4L + 256);
        String s = text(text.substring(0, window));
        int cut = text.length() - window;
        if (s.length() <= max && cut == 0) {
            return s;
        }
        int shown = Math.min(max, s.length());
        return s.substring(0, shown) + "... (" + (s.length() - shown + cut) + " more characters)";
    }
}
