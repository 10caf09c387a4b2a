package io.selfheal.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
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

    /** The parsed value of {@code key}, or {@code otherwise} when it is absent. */
    public <T> T read(String key, ValueParser<T> parser, T otherwise) {
        Optional<String> v = take(key);
        return v.isPresent() ? parser.parse(key, v.get()) : otherwise;
    }

    /** Parses one value; the key is there for the error message (ConfigValues' parsers have this shape). */
    @FunctionalInterface
    public interface ValueParser<T> {
        T parse(String key, String value);
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

    /** The key shapes the sections took or remembered so far (for suggestions, and to list every valid key). */
    public SortedSet<String> knownShapes() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(known));
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
            for (String candidate : expansions(key, shape)) {
                int d = levenshtein(key, candidate);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = candidate;
                }
            }
        }
        return bestDistance <= Math.max(6, key.length() / 3) ? best : null;
    }

    /**
     * The shape itself, or, where it has a "<name>" segment, the shape with that segment filled from the key (one or
     * more of the key's segments, since names such as hosts hold dots): "selfheal.upstream.inventory.max-atempts"
     * against "selfheal.upstream.<name>.max-attempts" gives "selfheal.upstream.inventory.max-attempts".
     */
    static List<String> expansions(String key, String shape) {
        int open = shape.indexOf('<');
        if (open < 0) {
            return List.of(shape);
        }
        int close = shape.indexOf('>', open);
        String before = shape.substring(0, open);
        String after = shape.substring(close + 1);
        List<String> out = new ArrayList<>();
        if (!key.startsWith(before) && levenshtein(key.substring(0, Math.min(key.length(), before.length())), before) > 3) {
            out.add(shape);
            return out;
        }
        String[] segments = userSegments(key, before).split("\\.");
        int afterSegments = after.isEmpty() ? 0 : after.substring(1).split("\\.").length;
        for (int take = 1; take <= Math.max(1, segments.length - afterSegments + 1) && take <= segments.length; take++) {
            out.add(before + String.join(".", java.util.Arrays.copyOfRange(segments, 0, take)) + after);
        }
        if (out.isEmpty()) {
            out.add(shape);
        }
        return out;
    }

    /**
     * The part of the key that stands where the shape's fixed part ends. When the fixed part is misspelt
     * ("selfheal.upstreams.inventory.max-attempts"), cutting at its length would keep a stray letter or dot and suggest
     * "selfheal.upstream..inventory.max-attempts"; so cut after as many segments as the fixed part has instead.
     */
    private static String userSegments(String key, String before) {
        if (key.startsWith(before)) {
            return key.substring(before.length());
        }
        int fixedSegments = before.split("\\.").length;
        String[] all = key.split("\\.");
        return all.length > fixedSegments ? String.join(".", java.util.Arrays.copyOfRange(all, fixedSegments, all.length)) : "";
    }

    public static int levenshtein(String a, String b) {
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
