package io.selfheal.idempotency;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The message digests an idempotency key is made with, one of each per thread. Keys are derived on every mutating
 * call, and {@link MessageDigest#getInstance} looks its provider up each time, the largest part of deriving a
 * key. A digest is not thread-safe, hence one per thread; each is reset
 * when handed out.
 */
public final class Digests {
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> create("SHA-256"));
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> create("MD5"));

    private Digests() {
    }

    /** This thread's SHA-256, reset. Finish with {@code digest()} before asking for it again on the same thread. */
    public static MessageDigest sha256() {
        MessageDigest md = SHA_256.get();
        md.reset();
        return md;
    }

    /** This thread's MD5 (for name-based UUIDs only), reset. */
    static MessageDigest md5() {
        MessageDigest md = MD5.get();
        md.reset();
        return md;
    }

    private static MessageDigest create(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }
}
