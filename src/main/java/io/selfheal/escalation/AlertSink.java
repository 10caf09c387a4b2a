package io.selfheal.escalation;

/** Where alerts go. {@link #send} may block (it runs on the sink's own thread) and throws when delivery failed. */
public interface AlertSink {
    /** Short name for logs: "log", "webhook", "alertmanager". */
    String name();

    /** Where it sends, safe to log (no secrets: scheme, host and port only). */
    String describe();

    void send(Alert alert) throws Exception;

    /** The page of a job's run that needs a human ({@link RunAlert}). */
    void send(RunAlert page) throws Exception;
}
