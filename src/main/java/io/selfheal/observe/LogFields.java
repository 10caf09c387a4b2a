package io.selfheal.observe;

import org.slf4j.MDC;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Puts an event's fields into the logging context (MDC) for the duration of one log call. The readable layout shows
 * the message; the JSON layout ({@code selfheal.log.format=json}) writes each field as a key of the line's object, so
 * a log shipper gets "attempt", "upstream", "delaySource" ... without parsing text.
 */
public final class LogFields {
    private LogFields() {
    }

    public static void with(Map<String, ?> fields, Runnable logCall) {
        List<String> added = new ArrayList<>(fields.size());
        try {
            fields.forEach((k, v) -> {
                if (v != null && MDC.get(k) == null) {
                    MDC.put(k, String.valueOf(v));
                    added.add(k);
                }
            });
            logCall.run();
        } finally {
            added.forEach(MDC::remove);
        }
    }
}
