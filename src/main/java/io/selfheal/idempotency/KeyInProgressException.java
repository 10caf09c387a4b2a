package io.selfheal.idempotency;

import java.time.Instant;

/**
 * A copy of a message arrived while its idempotency key is claimed by a processing that has not finished yet (in this
 * process or another one whose claim is still renewed). The copy is not skipped: if that processing died, skipping
 * would acknowledge the only remaining copy and lose the message. It fails TRANSIENT instead, so it is retried until
 * the claim ends: confirmed (the retry is then a duplicate and skipped), released by a give-up (the retry processes
 * it), or expired because its owner stopped renewing it (the retry takes the claim over).
 * <p>
 * Thrown before the message is processed at all, so it is safe to retry even for non-idempotent calls.
 */
public class KeyInProgressException extends RuntimeException {
    private final String owner;
    private final Instant claimedUntil;

    public KeyInProgressException(String scope, String key, String owner, Instant claimedUntil) {
        super("idempotency key '" + key + "' (scope " + scope + ") is still being processed by " + owner
                + " (claim renewed until " + claimedUntil + "); this copy is retried, not skipped", null, false, false);
        this.owner = owner;
        this.claimedUntil = claimedUntil;
    }

    public String owner() {
        return owner;
    }

    public Instant claimedUntil() {
        return claimedUntil;
    }
}
