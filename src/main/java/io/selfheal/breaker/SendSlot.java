package io.selfheal.breaker;

/**
 * A send slot the upstream's send rate booked for one caller: the instant it may send (on the send rate's clock,
 * nanoseconds) and the booking epoch, so a slot booked before the rate was lowered is known to be void.
 */
public record SendSlot(long atNanos, long epoch) {
}
