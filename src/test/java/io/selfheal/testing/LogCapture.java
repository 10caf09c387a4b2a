package io.selfheal.testing;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Captures every log event of the process while it is installed, for assertions on what was logged and what was not.
 * Added to the root logger (and to each logger that does not pass its events up) programmatically, so it sees what
 * the configured appenders see.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {
    /**
     * One event.
     *
     * @param message    the formatted message
     * @param context    the logging context (MDC): its fields reach JSON log lines as keys, so they are output too
     * @param stackTrace the stack trace of the event's exception, or null
     */
    public record Line(String logger, Level level, String message, Map<String, String> context, String stackTrace) {
        /** The message, the logging context if any and the stack trace if any: all the event puts out. */
        public String text() {
            StringBuilder text = new StringBuilder(message);
            if (!context.isEmpty()) {
                text.append(" ").append(context);
            }
            if (stackTrace != null) {
                text.append('\n').append(stackTrace);
            }
            return text.toString();
        }

        /** As a pattern layout writes it, {@code LEVEL logger | message}, and the stack trace if any. */
        public String rendered() {
            String line = level + " " + logger + " | " + message;
            return stackTrace == null ? line : line + '\n' + stackTrace;
        }
    }

    private final List<Line> lines = new ArrayList<>();
    private final Map<String, Level> restore = new LinkedHashMap<>();

    private LogCapture() {
        // a name of its own: two captures open at once do not replace each other
        super("captured-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY);
    }

    public static LogCapture install() {
        LogCapture capture = new LogCapture();
        capture.start();
        LoggerContext lc = (LoggerContext) LogManager.getContext(false);
        Configuration config = lc.getConfiguration();
        config.getRootLogger().addAppender(capture, Level.ALL, null);
        // loggers that do not pass their events up to the root need the appender themselves
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
        String stackTrace = null;
        if (event.getThrown() != null) {
            StringWriter w = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(w));
            stackTrace = w.toString();
        }
        Map<String, String> context = event.getContextData() == null ? Map.of() : event.getContextData().toMap();
        Line line = new Line(event.getLoggerName(), event.getLevel(), event.getMessage().getFormattedMessage(),
                context, stackTrace);
        synchronized (lines) {
            lines.add(line);
        }
    }

    /** Lets {@code logger} log from {@code level} while this capture is installed (its level is restored on close). */
    public LogCapture withLevel(String logger, Level level) {
        restore.putIfAbsent(logger, LogManager.getLogger(logger).getLevel());
        Configurator.setLevel(logger, level);
        return this;
    }

    public List<Line> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Every line {@link Line#rendered() rendered}. */
    public List<String> rendered() {
        return lines().stream().map(Line::rendered).toList();
    }

    /** The rendered lines of one logger. */
    public List<String> linesOf(String logger) {
        return rendered().stream().filter(l -> l.contains(" " + logger + " | ")).toList();
    }

    /** Every rendered line, one a line. */
    public String all() {
        return String.join("\n", rendered());
    }

    @Override
    public void close() {
        restore.forEach(Configurator::setLevel);
        LoggerContext lc = (LoggerContext) LogManager.getContext(false);
        Configuration config = lc.getConfiguration();
        config.getRootLogger().removeAppender(getName());
        for (LoggerConfig logger : config.getLoggers().values()) {
            logger.removeAppender(getName());
        }
        lc.updateLoggers();
        stop();
    }
}
