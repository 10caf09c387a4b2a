package io.selfheal.camel.retry;

/**
 * The redelivery that was due after a wait was not made: the process is shutting down. No call was made; the cause is
 * the failure the exchange was waiting to retry. The failure recorder turns it into the give-up {@code SHUTDOWN}.
 */
final class ShutdownRefusal extends RuntimeException {
    ShutdownRefusal(Throwable lastFailure) {
        super("not retried: shutting down", lastFailure, false, false);
    }

    static boolean in(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (t instanceof ShutdownRefusal) {
                return true;
            }
        }
        return false;
    }
}
