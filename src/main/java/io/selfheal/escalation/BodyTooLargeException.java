package io.selfheal.escalation;

import io.selfheal.config.ByteSizes;

/** A body above {@code selfheal.parked.max-body-size}: refused whole rather than cut. */
public class BodyTooLargeException extends ParkingException {
    public BodyTooLargeException(long size, long max) {
        super("message body of " + size + " bytes is larger than " + ParkedSettings.MAX_BODY_SIZE + "="
                + ByteSizes.human(max) + ": not parked (bodies are never cut); the exchange fails so its source keeps it");
    }
}
