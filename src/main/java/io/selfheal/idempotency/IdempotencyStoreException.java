package io.selfheal.idempotency;

import java.sql.SQLException;

/**
 * A key-store or sink operation failed in the database. Unchecked (Camel's repository interface declares nothing);
 * the {@link SQLException} stays the cause, so the classifier reads its SQLSTATE (a lost connection is TRANSIENT).
 */
public class IdempotencyStoreException extends RuntimeException {
    public IdempotencyStoreException(String message, SQLException cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
