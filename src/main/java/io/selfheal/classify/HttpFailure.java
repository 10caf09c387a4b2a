package io.selfheal.classify;

import java.util.Map;
import java.util.Optional;

/**
 * An HTTP response that failed an attempt: its status and headers. Header names are kept as the server spelled them,
 * so lookups ignore case.
 */
public record HttpFailure(int status, Map<String, String> headers) {
    public HttpFailure {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public Optional<String> header(String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
                return Optional.ofNullable(e.getValue());
            }
        }
        return Optional.empty();
    }

    public Optional<String> retryAfter() {
        return header("Retry-After").filter(v -> !v.isBlank());
    }

    public Optional<String> date() {
        return header("Date");
    }
}
