package io.selfheal.idempotency;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Deterministic idempotency keys: the same message gives the same key on every retry, after a restart that reads it
 * again, and on a replay; different content gives a different key. Name-based UUIDs, so a key says nothing about the
 * content it came from.
 * <p>
 * A message key is not sent as it is: each mutating call a message makes gets {@link #forCall its own key}, the
 * message key plus a tag of the call site (method and URL), since a server that honours keys answers a second,
 * different call under one key with the first call's response, or refuses it as reuse.
 */
public final class IdempotencyKeys {
    /** Methods that change state on the server (RFC 9110 non-safe); GET, HEAD, OPTIONS and TRACE carry no key. */
    public static final Set<String> MUTATING_METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final String EMPTY_SHA256 = sha256Hex(new byte[0]);

    private IdempotencyKeys() {
    }

    /** The key of a message as it entered a route: route id plus the SHA-256 of its body. */
    public static String fromContent(String routeId, byte[] body) {
        return fromDigest(routeId, sha256Hex(body == null ? new byte[0] : body));
    }

    /** As {@link #fromContent}, from the body's SHA-256 in hex (computed while streaming a large body). */
    public static String fromDigest(String routeId, String bodySha256Hex) {
        return nameUuid("selfheal:" + routeId + ":" + bodySha256Hex);
    }

    /**
     * The key of a part made from a message inside the route (a split item, a multicast copy): its parent's key plus
     * the SHA-256 of the part's own body, so parts of one message differ and stay stable across restarts.
     */
    public static String forPart(String parentKey, byte[] partBody) {
        return forPartDigest(parentKey, sha256Hex(partBody == null ? new byte[0] : partBody));
    }

    public static String forPartDigest(String parentKey, String partSha256Hex) {
        return nameUuid("selfheal-part:" + parentKey + ":" + partSha256Hex);
    }

    /**
     * The key one call of a message carries: {@code <messageKey>:<tag>}, the tag being the first 12 hex digits of the
     * SHA-256 of the {@link #callSite call site}. The same message and call site give the same key on every retry,
     * restart and replay; two call sites of one message (a PUT then a DELETE, or two URLs) give two keys, also when the
     * message key is a business key.
     */
    public static String forCall(String messageKey, String method, String url) {
        return messageKey + ":" + sha256Hex(callSite(method, url).getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }

    /**
     * What identifies a call site: the method in capitals and the URL without its query, fragment and user info (the
     * query is where volatile values go, timestamps, signatures and Camel's own endpoint options; credentials rotate).
     * Scheme and host are compared in lower case.
     */
    static String callSite(String method, String url) {
        String u = url == null ? "" : url;
        int cut = u.length();
        for (char c : new char[] {'?', '#'}) {
            int i = u.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        u = u.substring(0, cut);
        int scheme = u.indexOf("://");
        int authorityStart = scheme < 0 ? 0 : scheme + 3;
        int pathStart = u.indexOf('/', authorityStart);
        String authority = pathStart < 0 ? u.substring(authorityStart) : u.substring(authorityStart, pathStart);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        String head = (scheme < 0 ? "" : u.substring(0, scheme + 3)) + authority;
        String path = pathStart < 0 ? "" : u.substring(pathStart);
        return (method == null ? "" : method.toUpperCase(Locale.ROOT)) + " " + head.toLowerCase(Locale.ROOT) + path;
    }

    /** The SHA-256 of no bytes, for a part without a body. */
    public static String emptyDigest() {
        return EMPTY_SHA256;
    }

    public static boolean isMutating(String method) {
        // camel-http names its methods in capitals: look that up before making an upper-case copy
        return method != null && (MUTATING_METHODS.contains(method)
                || MUTATING_METHODS.contains(method.toUpperCase(Locale.ROOT)));
    }

    /**
     * A version 3 (MD5, name-based) UUID, exactly as {@link UUID#nameUUIDFromBytes} makes it (keys already stored must
     * stay the same), with this thread's MD5 instead of a new one per key.
     */
    static String nameUuid(String name) {
        byte[] md5 = Digests.md5().digest(name.getBytes(StandardCharsets.UTF_8));
        md5[6] &= 0x0f;  // clear version
        md5[6] |= 0x30;  // set to version 3
        md5[8] &= 0x3f;  // clear variant
        md5[8] |= (byte) 0x80;  // set to IETF variant
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (md5[i] & 0xff);
        }
        for (int i = 8; i < 16; i++) {
            lsb = (lsb << 8) | (md5[i] & 0xff);
        }
        return new UUID(msb, lsb).toString();
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(Digests.sha256().digest(bytes));
    }
}
