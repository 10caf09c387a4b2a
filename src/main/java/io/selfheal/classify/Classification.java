package io.selfheal.classify;

import java.util.Optional;

/**
 * The class of one failure and why: {@code rule} names what decided it ("HTTP 503", "SQLSTATE 40P01",
 * "exception java.net.ConnectException", "default"); {@code outcome} is the short form used in summaries.
 */
public record Classification(FailureClass failureClass, String rule, String outcome, Optional<HttpFailure> http,
                             Throwable decidingCause) {

    public Optional<String> retryAfter() {
        return http.flatMap(HttpFailure::retryAfter);
    }

    /**
     * A 429, or any answer with Retry-After: the upstream throttles, it does not fail (it is alive and says when to
     * come back), so neither the breaker nor the retry budget counts it.
     */
    public boolean throttled() {
        return http.isPresent() && (http.get().status() == 429 || http.get().retryAfter().isPresent());
    }
}
