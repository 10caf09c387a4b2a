package io.selfheal.camel;

import io.selfheal.classify.Classification;
import io.selfheal.classify.FailureClassifier;
import io.selfheal.classify.HttpFailure;
import io.selfheal.retry.RetryAfter;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One failure, classified once where it was raised, with its Retry-After read then: the breaker, the retry decision
 * and the attempt log all use this one verdict.
 *
 * @param retryAfter the wait the answer's Retry-After states, measured from when the failure was seen
 */
public record ClassifiedFailure(Throwable failure, Classification classification, Optional<Duration> retryAfter) {

    public static ClassifiedFailure of(FailureClassifier classifier, Throwable failure, Instant now) {
        Classification c = classifier.classify(failure);
        Optional<Duration> retryAfter = c.retryAfter()
                .flatMap(v -> RetryAfter.parse(v, c.http().flatMap(HttpFailure::date).orElse(null), now));
        return new ClassifiedFailure(failure, c, retryAfter);
    }

    /** Whether this is the verdict on {@code raised} (the same exception object, not an equal one). */
    public boolean isOf(Throwable raised) {
        return failure == raised;
    }
}
