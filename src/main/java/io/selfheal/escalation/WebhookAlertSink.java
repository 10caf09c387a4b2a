package io.selfheal.escalation;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * A generic webhook: POSTs the alert as JSON. Its {@code text} field is the one-line summary, so a Slack-compatible
 * incoming webhook shows it as the message; every other field is the alert's structured data.
 */
public final class WebhookAlertSink implements AlertSink {
    private final URI url;
    private final Map<String, String> headers;
    private final HttpPoster poster;

    public WebhookAlertSink(URI url, Map<String, String> headers, Duration timeout) {
        this.url = url;
        this.headers = Map.copyOf(headers);
        this.poster = new HttpPoster(timeout);
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public String describe() {
        return "webhook " + HttpPoster.origin(url);
    }

    @Override
    public void send(Alert alert) throws Exception {
        poster.post(url, alert.toJson(), headers);
    }

    @Override
    public void send(RunAlert page) throws Exception {
        poster.post(url, page.toJson(), headers);
    }
}
