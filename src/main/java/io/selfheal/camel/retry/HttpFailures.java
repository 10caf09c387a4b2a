package io.selfheal.camel.retry;

import io.selfheal.classify.HttpFailure;
import org.apache.camel.http.base.HttpOperationFailedException;

import java.util.Optional;

/** Adapts camel-http's failure exception to the plain {@link HttpFailure} the classifier reads. */
public final class HttpFailures {
    private HttpFailures() {
    }

    public static Optional<HttpFailure> extract(Throwable t) {
        if (t instanceof HttpOperationFailedException h) {
            return Optional.of(new HttpFailure(h.getStatusCode(), h.getResponseHeaders()));
        }
        return Optional.empty();
    }
}
