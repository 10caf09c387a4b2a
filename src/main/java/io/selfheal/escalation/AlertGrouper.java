package io.selfheal.escalation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /** Records a give-up; returns the alert to send now, if any. */
    public synchronized Optional<Alert> add(GiveUp giveUp, Long parkedId, Instant now) {
        Alert.Key key = Alert.Key.of(giveUp);
        if (window.isZero()) {
            return Optional.of(new Alert(key, giveUp, 1, false, now, now, parkedId));
        }
        Group g = groups.get(key);
        if (g == null) {
            g = new Group();
            g.start = now;
            g.end = now.plus(window);
            g.count = 1;
            g.latest = giveUp;
            g.latestParkedId = parkedId;
            groups.put(key, g);
            return Optional.of(new Alert(key, giveUp, 1, false, g.start, g.end, parkedId));
        }
        g.count++;
        g.latest = giveUp;
        g.latestParkedId = parkedId;
        return Optional.empty();
    }

    /** The grouped alerts of every window that has ended by {@code now}. */
    public synchronized List<Alert> due(Instant now) {
        List<Alert> out = new ArrayList<>();
        Iterator<Map.Entry<Alert.Key, Group>> it = groups.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Alert.Key, Group> e = it.next();
            Group g = e.getValue();
            if (now.isBefore(g.end)) {
                continue;
            }
            int unalerted = g.continuation ? g.count : g.count - 1;
            if (unalerted <= 0) {
                it.remove();
                continue;
            }
            out.add(new Alert(e.getKey(), g.latest, g.count, true, g.start, g.end, g.latestParkedId));
            g.continuation = true;
            g.start = g.end;
            g.end = g.end.plus(window);
            g.count = 0;
        }
        return out;
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
