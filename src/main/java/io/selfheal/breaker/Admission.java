package io.selfheal.breaker;

import io.selfheal.retry.StatedWait;

/**
 * The gate's answer for one call to an upstream: go ahead (perhaps as a half-open probe), or not yet, with the wait
 * until the upstream may be called and why.
 */
public record Admission(boolean admitted, boolean probe, StatedWait statedWait, String why) {
    static final Admission GO = new Admission(true, false, null, null);
    static final Admission PROBE = new Admission(true, true, null, null);

    static Admission refused(StatedWait statedWait, String why) {
        return new Admission(false, false, statedWait, why);
    }
}
