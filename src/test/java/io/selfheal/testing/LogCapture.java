package io.selfheal.testing;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Captures every log event of the process while it is installed: the logger name, the level, the formatted message,
 * the logging context (MDC) and any stack trace, as one string per event. Added to the root logger programmatically, so it sees what the
 * configured appenders see.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {
    public record Line(String logger, Level level, String text) {
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final java.util.Map<String, Level> restore = new java.util.LinkedHashMap<>();

    private LogCapture() {
        super("selfheal-test-capture", null, null, true, Property.EMPTY_ARRAY);
    }

    public static LogCapture install() {
        LogCapture capture = new LogCapture();
        capture.start();
        LoggerContext lc = (LoggerContext) LogManager.getContext(false);
        Configuration config = lc.getConfiguration();
        config.addAppender(capture);
        config.getRootLogger().addAppender(capture, Level.ALL, null);
        for (LoggerConfig logger : config.getLoggers().values()) {
            if (logger != config.getRootLogger() && !logger.isAdditive()) {
                logger.addAppender(capture, Level.ALL, null);
            }
        }
        lc.updateLoggers();
        return capture;
    }

    @Override
    public void append(LogEvent event) {
        StringBuilder text = new StringBuilder(event.getMessage().getFormattedMessage());
        // fields put into the logging context (MDC) reach JSON log lines as keys: they are output too
        if (event.getContextData() != null && !event.getContextData().isEmpty()) {
            text.append(" ").append(event.getContextData().toMap());
        }
        if (event.getThrown() != null) {
            StringWriter w = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(w));
            text.append('\n').append(w);
        }
        lines.add(new Line(event.getLoggerName(), event.getLevel(), text.toString()));
    }

    /** Lets {@code logger} log from {@code level} while this capture is installed (its level is restored on close). */
    public LogCapture withLevel(String logger, Level level) {
        restore.putIfAbsent(logger, LogManager.getLogger(logger).getLevel());
        org.apache.logging.log4j.core.config.Configurator.setLevel(logger, level);
        return this;
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        restore.forEach(org.apache.logging.log4j.core.config.Configurator::setLevel);
        LoggerContext lc = (LoggerContext) LogManager.getContext(false);
        Configuration config = lc.getConfiguration();
        for (LoggerConfig logger : config.getLoggers().values()) {
            logger.removeAppender(getName());
        }
        config.getRootLogger().removeAppender(getName());
        lc.updateLoggers();
        stop();
    }
}
