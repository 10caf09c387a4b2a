package io.selfheal.escalation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks a token given with a request against the configured one without telling an attacker, by the time the check
 * takes, how much of a guess was right: both are hashed (SHA-256, so their lengths do not matter either) and the
 * digests are compared with {@link MessageDigest#isEqual}, which looks at every byte whatever the first difference.
 */
public final class ApiToken {
    private ApiToken() {
    }

    /** False for a missing or empty token, and when no token is configured. */
    public static boolean matches(String expected, String given) {
        if (expected == null || expected.isEmpty() || given == null || given.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(sha256(expected), sha256(given));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
