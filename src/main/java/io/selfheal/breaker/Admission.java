package io.selfheal.breaker;

import io.selfheal.retry.StatedWait;

/**
 * The gate's answer for one call to an upstream: go ahead (perhaps as a half-open probe), or not yet, with the wait
 * until the upstream may be called and why.
 */
public record Admission(boolean admitted, boolean probe, StatedWait statedWait, String why, long sendSlotNanos) {
    static final Admission GO = new Admission(true, false, null, null, 0L);
    static final Admission PROBE = new Admission(true, true, null, null, 0L);

    static Admission refused(StatedWait statedWait, String why) {
        return new Admission(false, false, statedWait, why, 0L);
    }

    /** Not yet: the send rate booked the caller a slot at {@code slotNanos} (see {@link UpstreamBreaker#admit(long)}). */
    static Admission paced(StatedWait statedWait, String why, long slotNanos) {
        return new Admission(false, false, statedWait, why, slotNanos);
    }
}
