package io.selfheal.breaker;

import io.selfheal.retry.StatedWait;

/**
 * The gate's answer for one call to an upstream: go ahead (perhaps as a half-open probe), or not yet, with the wait
 * until the upstream may be called and why.
 */
public record Admission(boolean admitted, boolean probe, StatedWait statedWait, String why, SendSlot sendSlot) {
    static final Admission GO = new Admission(true, false, null, null, null);
    static final Admission PROBE = new Admission(true, true, null, null, null);

    static Admission refused(StatedWait statedWait, String why) {
        return new Admission(false, false, statedWait, why, null);
    }

    /**
     * Not yet: the send rate asks the caller to wait, and booked it {@code slot} at the end of the wait (null when it
     * is to ask again then); see {@link UpstreamBreaker#admit(SendSlot, boolean)}.
     */
    static Admission paced(StatedWait statedWait, String why, SendSlot slot) {
        return new Admission(false, false, statedWait, why, slot);
    }
}
