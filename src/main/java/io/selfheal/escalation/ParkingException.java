package io.selfheal.escalation;

/**
 * A given-up message could not be parked. The exchange fails with it, so its source does not acknowledge the message
 * and nothing is lost. The message never holds secrets.
 */
public class ParkingException extends RuntimeException {
    public ParkingException(String message, Throwable cause) {
        super(message, cause);
    }

    public ParkingException(String message) {
        super(message);
    }
}
