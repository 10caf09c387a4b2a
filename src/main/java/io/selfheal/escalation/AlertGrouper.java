package io.selfheal.escalation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a storm of give-ups into a few alerts. The first give-up of a key (upstream, class, reason) is alerted at once
 * and opens a window; the give-ups that follow within the window are only counted. When the window ends, one grouped
 * alert counts every give-up of the window (the first included), and a new window opens in which give-ups are again
 * only counted; a window that ends with none closes the group, so the next give-up alerts at once again.
 * So 50 give-ups in one window make exactly two alerts: the first at once (count 1) and one grouped (count 50).
 * Pure and thread-safe; time comes from the caller.
 */
public final class AlertGrouper {
    private final Duration window;
    private final Map<Alert.Key, Group> groups = new HashMap<>();

    private static final class Group {
        Instant start;
        Instant end;
        int count;
        /** True for the windows after the first: their give-ups were not alerted at once. */
        boolean continuation;
        GiveUp latest;
        Long latestParkedId;
    }

    public AlertGrouper(Duration window) {
        this.window = window;
    }

    /**
     * Records a give-up; returns the alerts to send now: the give-up's own when it opens a group, preceded by the
     * grouped alert of its key's window if that window has ended and the ticker has not sent it yet.
     */
    public synchronized List<Alert> add(GiveUp giveUp, Long parkedId, Instant now) {
        Alert.Key key = Alert.Key.of(giveUp);
        List<Alert> out = new ArrayList<>();
        if (window.isZero()) {
            out.add(new Alert(key, giveUp, 1, false, now, now, parkedId));
            return out;
        }
        Group g = groups.get(key);
        while (g != null && !now.isBefore(g.end)) {
            g = roll(key, g, out);
        }
        if (g == null) {
            g = new Group();
            g.start = now;
            g.end = now.plus(window);
            g.count = 1;
            g.latest = giveUp;
            g.latestParkedId = parkedId;
            groups.put(key, g);
            out.add(new Alert(key, giveUp, 1, false, g.start, g.end, parkedId));
            return out;
        }
        g.count++;
        g.latest = giveUp;
        g.latestParkedId = parkedId;
        return out;
    }

    /** The grouped alerts of every window that has ended by {@code now}. */
    public synchronized List<Alert> due(Instant now) {
        List<Alert> out = new ArrayList<>();
        for (Alert.Key key : new ArrayList<>(groups.keySet())) {
            Group g = groups.get(key);
            if (g != null && !now.isBefore(g.end)) {
                roll(key, g, out);
            }
        }
        return out;
    }

    /** Ends a group's window: its grouped alert when it has unalerted give-ups (and a next window), else closes it. */
    private Group roll(Alert.Key key, Group g, List<Alert> out) {
        int unalerted = g.continuation ? g.count : g.count - 1;
        if (unalerted <= 0) {
            groups.remove(key);
            return null;
        }
        out.add(new Alert(key, g.latest, g.count, true, g.start, g.end, g.latestParkedId));
        g.continuation = true;
        g.start = g.end;
        g.end = g.end.plus(window);
        g.count = 0;
        return g;
    }

    /** On shutdown: a grouped alert for every window with give-ups not yet alerted, ending now. */
    public synchronized List<Alert> drain(Instant now) {
        List<Alert> out = new ArrayList<>();
        groups.forEach((key, g) -> {
            int unalerted = g.continuation ? g.count : g.count - 1;
            if (unalerted > 0) {
                out.add(new Alert(key, g.latest, g.count, true, g.start, now, g.latestParkedId));
            }
        });
        groups.clear();
        return out;
    }

    /** The delay between checks for ended windows: a tenth of the window, between 20 ms and 1 s. */
    public Duration tick() {
        long ms = Math.max(20, Math.min(1000, window.toMillis() / 10));
        return Duration.ofMillis(ms);
    }
}
