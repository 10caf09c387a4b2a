package io.selfheal.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The raw {@code selfheal.*} properties, read once at start-up. Each section takes the keys it knows; whatever is
 * left at the end is a typo and stops start-up, with the nearest valid key suggested.
 */
public final class ConfigReader {
    public static final String PREFIX = "selfheal.";

    private final Map<String, String> raw;
    private final Set<String> consumed = new HashSet<>();
    /** Valid key shapes, for suggestions; "<name>" marks a user-chosen segment. */
    private final Set<String> known = new TreeSet<>();

    public ConfigReader(Map<String, String> properties) {
        Map<String, String> m = new TreeMap<>();
        properties.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                m.put(k, v == null ? "" : v.trim());
            }
        });
        this.raw = m;
    }

    public Optional<String> take(String key) {
        known.add(key);
        String v = raw.get(key);
        if (v == null) {
            return Optional.empty();
        }
        consumed.add(key);
        return Optional.of(v);
    }

    /** Keys under a prefix (for maps such as selfheal.classify.http.*), marking them taken. */
    public Map<String, String> takeUnder(String prefix, String shapeForSuggestions) {
        known.add(shapeForSuggestions);
        Map<String, String> out = new TreeMap<>();
        raw.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                out.put(k, v);
                consumed.add(k);
            }
        });
        return out;
    }

    /** All keys present under a prefix, without taking them (a section decides which it understands). */
    public Collection<String> keysUnder(String prefix) {
        List<String> out = new ArrayList<>();
        for (String k : raw.keySet()) {
            if (k.startsWith(prefix)) {
                out.add(k);
            }
        }
        return out;
    }

    public void remember(String keyShape) {
        known.add(keyShape);
    }

    /** Fails on the first key no section took, suggesting the nearest valid one. */
    public void rejectUnknown() {
        for (String k : raw.keySet()) {
            if (!consumed.contains(k)) {
                String suggestion = nearest(k);
                throw new ConfigException(k, "Unknown configuration key '" + k + "'"
                        + (suggestion == null ? "" : "; did you mean '" + suggestion + "'?"));
            }
        }
    }

    private String nearest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String shape : known) {
            int d = distance(key, shape);
            if (d < bestDistance) {
                bestDistance = d;
                best = shape;
            }
        }
        return bestDistance <= Math.max(6, key.length() / 3) ? best : null;
    }

    /** Edit distance where a "<name>" segment in the shape matches any one segment of the key for free. */
    static int distance(String key, String shape) {
        if (shape.contains("<")) {
            String[] ks = key.split("\\.");
            String[] ss = shape.split("\\.");
            // try each way of matching the "<name>" segment(s) to one or more key segments (names may hold dots)
            int best = Integer.MAX_VALUE;
            int extra = ks.length - ss.length;
            for (int e = 0; e <= Math.max(0, extra); e++) {
                StringBuilder expanded = new StringBuilder();
                int ki = 0;
                for (int si = 0; si < ss.length; si++) {
                    if (si > 0) {
                        expanded.append('.');
                    }
                    if (ss[si].startsWith("<") && ki < ks.length) {
                        int take = 1 + e;
                        List<String> parts = new ArrayList<>();
                        for (int t = 0; t < take && ki < ks.length; t++) {
                            parts.add(ks[ki++]);
                        }
                        expanded.append(String.join(".", parts));
                    } else {
                        expanded.append(ss[si]);
                        ki++;
                    }
                }
                best = Math.min(best, levenshtein(key, expanded.toString()));
            }
            return best;
        }
        return levenshtein(key, shape);
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
