package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfhealProperties;

import io.selfheal.idempotency.RequestNeverSent;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.retry.RetryCheck;
import org.apache.camel.Exchange;

import java.util.Optional;

/**
 * For operations that cannot be made idempotent (exchange property {@value SelfhealProperties#IDEMPOTENT} = false):
 * a retry is allowed only when the failure proves the request never left ({@link RequestNeverSent}); otherwise, since
 * the first call may have had its effect, the exchange gives up with {@link GiveUpReason#NOT_IDEMPOTENT}.
 */
public final class NotIdempotentCheck {
    private NotIdempotentCheck() {
    }

    /** The check for the failure {@code exchange} has just raised. */
    public static RetryCheck of(Exchange exchange) {
        return () -> {
            if (isIdempotent(exchange)) {
                return Optional.empty();
            }
            Throwable failure = exchange.getException();
            if (failure == null) {
                failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            }
            return RequestNeverSent.test(failure) ? Optional.empty() : Optional.of(GiveUpReason.NOT_IDEMPOTENT);
        };
    }

    /**
     * Idempotent unless the property says otherwise. Unset or blank means idempotent; any other value but "true"
     * counts as false, so a typo errs on the side of fewer retries.
     */
    static boolean isIdempotent(Exchange exchange) {
        Object v = exchange.getProperty(SelfhealProperties.IDEMPOTENT);
        if (v == null || String.valueOf(v).isBlank()) {
            return true;
        }
        return Boolean.TRUE.equals(v) || "true".equalsIgnoreCase(String.valueOf(v).trim());
    }
}
