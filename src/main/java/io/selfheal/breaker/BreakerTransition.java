package io.selfheal.breaker;

import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One change of an upstream's breaker state, with why it happened ("5 consecutive failures", "failure rate 60.0 %
 * over 10 calls", "probe failed") and, when it opened, for how long.
 *
 * @param openFor the wait in open state before the next probe; null unless {@code to} is OPEN
 */
public record BreakerTransition(String upstream, State from, State to, String reason, Instant at, Duration openFor) {

    public boolean opened() {
        return to == State.OPEN || to == State.FORCED_OPEN;
    }

    /** Stable keys, for JSON and alert labels. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("upstream", upstream);
        m.put("from", from.name());
        m.put("to", to.name());
        m.put("reason", reason);
        m.put("at", at.toString());
        m.put("openForMillis", openFor == null ? null : openFor.toMillis());
        return m;
    }
}
