package io.selfheal.testing;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Captures every log line (with stack traces) while open, for assertions on what was logged and what was not. */
public final class CapturedLog extends AbstractAppender implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();

    private CapturedLog() {
        super("captured-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY);
    }

    public static CapturedLog capture() {
        CapturedLog log = new CapturedLog();
        log.start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        cfg.getRootLogger().addAppender(log, null, null);
        // loggers that do not pass their events up to the root need the appender themselves
        cfg.getLoggers().values().forEach(l -> {
            if (l != cfg.getRootLogger() && !l.isAdditive()) {
                l.addAppender(log, null, null);
            }
        });
        ctx.updateLoggers();
        return log;
    }

    @Override
    public void append(LogEvent event) {
        StringBuilder sb = new StringBuilder().append(event.getLevel()).append(' ').append(event.getLoggerName())
                .append(" | ").append(event.getMessage().getFormattedMessage());
        if (event.getThrown() != null) {
            StringWriter sw = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(sw));
            sb.append('\n').append(sw);
        }
        synchronized (lines) {
            lines.add(sb.toString());
        }
    }

    public List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    public List<String> linesOf(String logger) {
        return lines().stream().filter(l -> l.contains(" " + logger + " | ")).toList();
    }

    public String all() {
        return String.join("\n", lines());
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        cfg.getRootLogger().removeAppender(getName());
        cfg.getLoggers().values().forEach(l -> l.removeAppender(getName()));
        ctx.updateLoggers();
        stop();
    }
}
