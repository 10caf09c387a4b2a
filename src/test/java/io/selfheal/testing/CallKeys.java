package io.selfheal.testing;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.selfheal.idempotency.IdempotencyKeys;

/** The Idempotency-Key a request made for a message should carry: the message key's for that request's call site. */
public final class CallKeys {
    private CallKeys() {
    }

    public static String of(String messageKey, LoggedRequest request) {
        return IdempotencyKeys.forCall(messageKey, request.getMethod().getName(), request.getAbsoluteUrl());
    }
}
