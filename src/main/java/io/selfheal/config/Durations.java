package io.selfheal.config;

import java.time.Duration;

/** Durations as people read them in logs: "850ms", "4.2s", "4m12s", "1h03m". */
public final class Durations {
    private Durations() {
    }

    public static String human(Duration d) {
        if (d == null) {
            return "?";
        }
        long ms = Math.max(0, d.toMillis());
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            long tenths = Math.round(ms / 100.0);
            return (tenths % 10 == 0) ? (tenths / 10) + "s" : (tenths / 10) + "." + (tenths % 10) + "s";
        }
        long s = ms / 1000;
        if (s < 3600) {
            return (s / 60) + "m" + String.format("%02d", s % 60) + "s";
        }
        return (s / 3600) + "h" + String.format("%02d", (s % 3600) / 60) + "m";
    }
}
