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
