package io.selfheal.camel.idempotency;

import io.selfheal.idempotency.Digests;
import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.StreamCache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The SHA-256 of a message body, read so the message stays usable: a stream cache is reset afterwards, a file is
 * streamed (a large file is never loaded whole), and a one-shot stream is kept as the bytes it held. Empty when the
 * body is null or has no bytes.
 */
public final class BodyDigest {
    private BodyDigest() {
    }

    public static Optional<String> sha256(Message message) {
        return sha256(message.getExchange() != null ? message.getExchange().getContext() : null, rereadable(message));
    }

    /**
     * The message's body in a form that can be read again: a one-shot stream or reader is read once into the bytes it
     * held, and the message keeps those bytes, so the route still has its body.
     */
    public static Object rereadable(Message message) {
        Object body = message.getBody();
        if ((body instanceof InputStream || body instanceof Reader) && !(body instanceof StreamCache)) {
            byte[] b = message.getBody(byte[].class);
            message.setBody(b);
            return b;
        }
        return body;
    }

    /** The digest of a body that can be read again ({@link #rereadable}), converted with the context's converters. */
    public static Optional<String> sha256(CamelContext context, Object body) {
        if (body == null) {
            return Optional.empty();
        }
        try {
            if (body instanceof byte[] b) {
                return hex(digest(b), b.length);
            }
            if (body instanceof String s) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                return hex(digest(b), b.length);
            }
            if (body instanceof StreamCache cache) {
                MessageDigest md = newDigest();
                CountingSink sink = new CountingSink();
                cache.reset();
                try {
                    cache.writeTo(new DigestOutputStream(sink, md));
                } finally {
                    cache.reset();
                }
                return hex(md.digest(), sink.count);
            }
            // files and other bodies: a fresh stream from Camel's converters, read in chunks
            InputStream in = context == null ? null : context.getTypeConverter().tryConvertTo(InputStream.class, body);
            if (in != null) {
                try (in) {
                    MessageDigest md = newDigest();
                    long n = 0;
                    byte[] buf = new byte[8192];
                    for (int r; (r = in.read(buf)) > 0; ) {
                        md.update(buf, 0, r);
                        n += r;
                    }
                    return hex(md.digest(), n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the body to derive its idempotency key", e);
        } catch (RuntimeException e) {
            // no converter for this body type: fall back to its text
        }
        byte[] b = String.valueOf(body).getBytes(StandardCharsets.UTF_8);
        return hex(digest(b), b.length);
    }

    private static Optional<String> hex(byte[] digest, long length) {
        return length == 0 ? Optional.empty() : Optional.of(HexFormat.of().formatHex(digest));
    }

    private static byte[] digest(byte[] bytes) {
        return newDigest().digest(bytes);
    }

    private static MessageDigest newDigest() {
        return Digests.sha256();
    }

    /** Counts the bytes written and discards them. */
    private static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
