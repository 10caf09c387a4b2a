package io.selfheal.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

    static String nameUuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
