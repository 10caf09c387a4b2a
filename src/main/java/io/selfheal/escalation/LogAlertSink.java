package io.selfheal.escalation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The default sink: one ERROR line per alert on the logger {@code io.selfheal.alert}, the text then the JSON. */
public final class LogAlertSink implements AlertSink {
    static final Logger ALERT_LOG = LoggerFactory.getLogger("io.selfheal.alert");

    @Override
    public String name() {
        return "log";
    }

    @Override
    public String describe() {
        return "log io.selfheal.alert";
    }

    @Override
    public void send(Alert alert) {
        ALERT_LOG.error("{} | {}", alert.text(), alert.toJson());
    }

    @Override
    public void send(RunAlert page) {
        ALERT_LOG.error("[selfheal] {} | {}", page.text(), page.toJson());
    }
}
