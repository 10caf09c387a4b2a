package io.selfheal.camel;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.selfheal.idempotency.IdempotencyKeys;

/** The Idempotency-Key a request made for a message should carry: the message key's for that request's call site. */
final class CallKeys {
    private CallKeys() {
    }

    static String of(String messageKey, LoggedRequest request) {
        return IdempotencyKeys.forCall(messageKey, request.getMethod().getName(), request.getAbsoluteUrl());
    }
}
