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

    /** Query and form parameter names (and name fragments) whose values are secrets. */
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)([?&;]|\\b)((?:[a-z0-9_.-]*?)(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
                    + "signature|sig|auth|credential|session)[a-z0-9_.-]*)=([^&\\s\"'<>;,)]*)");
    /**
     * Header names that say their value is a secret (the parameter fragments above, without the short ones such as
     * "sig" that would catch ordinary names). Not "key" alone: Idempotency-Key must be kept, and replayed.
     */
    private static final Pattern SECRET_HEADER_NAME = Pattern.compile(
            "(?i)(password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|session|"
                    + "signature|auth)");
    /** A name (of a JSON field, an XML element, an encoded parameter) that says its value is a secret. */
    private static final String SECRET_NAME = "[a-z0-9_.-]*?(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|"
            + "access[_-]?key|private[_-]?key|signature|auth|credential|session|cookie)[a-z0-9_.-]*";
    /**
     * {@code "access_token": "xyz"} or {@code 'apiKey': 'xyz'}: secrets in JSON and quoted dumps, as upstream error
     * bodies carry them (an OAuth error answer, a header echo); the value is masked, quotes kept.
     */
    private static final Pattern QUOTED_PAIR = Pattern.compile(
            "(?i)([\"'])(" + SECRET_NAME + ")\\1(\\s*[:=]\\s*)([\"'])((?:\\\\.|(?!\\4).)*)\\4");
    /** {@code <password>xyz</password>} in XML bodies. */
    private static final Pattern XML_ELEMENT = Pattern.compile("(?i)<(" + SECRET_NAME + ")(\\s[^>]*)?>([^<]*)</\\1>");
    /** {@code token%3Dxyz} in a URL-encoded query inside another URL or a form body. */
    private static final Pattern ENCODED_PARAM = Pattern.compile(
            "(?i)(" + SECRET_NAME + ")(%3D)([^&\\s\"'<>]*?)(?=%26|[&\\s\"'<>]|$)");
    /** user:password@ in a URL. */
    private static final Pattern URL_USERINFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)([^/@\\s:]*):([^/@\\s]*)@");
    /** "Bearer xyz", "Basic xyz" as they appear in messages and header dumps. */
    private static final Pattern AUTH_SCHEME = Pattern.compile("(?i)\\b(bearer|basic|digest|token)\\s+[A-Za-z0-9._~+/=-]{4,}");
    /** "Authorization: xyz" or "Cookie=xyz" as they appear in header dumps inside messages. */
    private static final Pattern HEADER_IN_TEXT = Pattern.compile(
            "(?i)\\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)(\\s*[:=]\\s*)([^\\r\\n,}\\]]+)");

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
     * turns query parameters into headers, so {@code ?token=...} arrives as a header named {@code token}: shown and
     * parked in clear until SecretsScanIT found it).
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
                s = Pattern.compile("(?i)\\b(" + Pattern.quote(header) + ")(\\s*[:=]\\s*)([^\\r\\n,}\\]]+)")
                        .matcher(s).replaceAll("$1$2" + Matcher.quoteReplacement(MASK));
            }
        }
        s = SECRET_PARAM.matcher(s).replaceAll("$1$2=" + Matcher.quoteReplacement(MASK));
        s = QUOTED_PAIR.matcher(s).replaceAll("$1$2$1$3$4" + Matcher.quoteReplacement(MASK) + "$4");
        s = XML_ELEMENT.matcher(s).replaceAll("<$1$2>" + Matcher.quoteReplacement(MASK) + "</$1>");
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
        String s = text(text);
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max) + "... (" + (s.length() - max) + " more characters)";
    }
}
