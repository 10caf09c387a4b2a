package io.selfheal.runs;

/** The run store's database refused or failed; the message names the store (its URL masked) and the database's words. */
public class RunStoreException extends RuntimeException {
    public RunStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
