package io.selfheal.breaker;

import io.selfheal.config.Durations;
import io.selfheal.retry.DelaySource;
import io.selfheal.retry.HasStatedWait;
import io.selfheal.retry.StatedWait;

import java.util.Objects;

/**
 * The call was not made: the upstream's circuit breaker is open (or every half-open probe slot is taken), or the
 * upstream asked every caller to hold back with Retry-After, or its send rate has no slot free yet. Classified RECOVERABLE; the wait it carries (delay source
 * {@code breaker} or {@code retry-after}) is the time until the upstream may be called again. No call was made, so
 * the retry decision treats it as a wait, not an attempt: it spends no max-attempts, only max-duration bounds it.
 * Cheap to throw: no stack trace, since it is expected and frequent while an upstream is down.
 */
public class UpstreamUnavailableException extends RuntimeException implements HasStatedWait {
    private final String upstream;
    private final StatedWait wait;

    public UpstreamUnavailableException(String upstream, StatedWait wait, String why) {
        super("Upstream '" + upstream + "' not called: " + why + "; next call allowed in " + Durations.human(wait.duration()),
                null, false, false);
        this.upstream = Objects.requireNonNull(upstream);
        this.wait = Objects.requireNonNull(wait);
    }

    public String upstream() {
        return upstream;
    }

    @Override
    public StatedWait statedWait() {
        return wait;
    }

    /** True when the breaker turned the call away; false when a Retry-After hold did. */
    public boolean breakerOpen() {
        return wait.source() == DelaySource.BREAKER;
    }
}
