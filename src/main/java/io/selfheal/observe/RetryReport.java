package io.selfheal.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Retry drift per upstream, read from a Prometheus scrape of Selfheal's meters: first attempts, retries, the retry
 * ratio, attempts per success p50/p95 and give-ups by reason. A job that "succeeds on the seventh retry every time"
 * shows here as a p50 of 7 long before it becomes an outage.
 */
public final class RetryReport {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)\\}\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One upstream's line of the report. */
    public record Row(String upstream, long firstAttempts, long retries, double retryRatio, double p50, double p95,
                      Map<String, Long> giveUpsByReason) {
    }

    private final List<Row> rows;

    private RetryReport(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    public List<Row> rows() {
        return rows;
    }

    /** Builds the report from Prometheus text exposition format. */
    public static RetryReport fromScrape(String scrape) {
        Map<String, long[]> attempts = new TreeMap<>();            // upstream -> {first, retry}
        Map<String, TreeMap<Double, Double>> buckets = new TreeMap<>(); // upstream -> le -> cumulative count
        Map<String, Map<String, Long>> giveUps = new TreeMap<>();
        Matcher m = SAMPLE.matcher(scrape);
        while (m.find()) {
            String name = m.group(1);
            Map<String, String> labels = labels(m.group(2));
            double value;
            try {
                value = Double.parseDouble(m.group(3));
            } catch (NumberFormatException e) {
                continue;
            }
            String upstream = labels.getOrDefault("upstream", "unknown");
            switch (name) {
                case "selfheal_attempts_total" -> {
                    long[] a = attempts.computeIfAbsent(upstream, k -> new long[2]);
                    a["retry".equals(labels.get("kind")) ? 1 : 0] += (long) value;
                }
                case "selfheal_deliveries_attempts_bucket" -> {
                    String le = labels.get("le");
                    double bound = "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                    buckets.computeIfAbsent(upstream, k -> new TreeMap<>()).merge(bound, value, Double::sum);
                }
                case "selfheal_giveups_total" -> giveUps.computeIfAbsent(upstream, k -> new TreeMap<>())
                        .merge(labels.getOrDefault("reason", "unknown"), (long) value, Long::sum);
                default -> {
                }
            }
        }
        List<String> upstreams = new ArrayList<>(new java.util.TreeSet<>(attempts.keySet()));
        giveUps.keySet().stream().filter(u -> !upstreams.contains(u)).forEach(upstreams::add);
        List<Row> rows = new ArrayList<>();
        for (String u : upstreams) {
            long[] a = attempts.getOrDefault(u, new long[2]);
            TreeMap<Double, Double> b = buckets.getOrDefault(u, new TreeMap<>());
            rows.add(new Row(u, a[0], a[1], a[0] == 0 ? 0 : a[1] / (double) a[0], quantile(b, 0.5), quantile(b, 0.95),
                    giveUps.getOrDefault(u, Map.of())));
        }
        return new RetryReport(rows);
    }

    /** The smallest bucket bound holding the quantile: exact for the integer attempt numbers Selfheal records. */
    static double quantile(TreeMap<Double, Double> cumulative, double q) {
        if (cumulative.isEmpty()) {
            return Double.NaN;
        }
        double total = cumulative.lastEntry().getValue();
        if (total <= 0) {
            return Double.NaN;
        }
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= q * total) {
                return e.getKey();
            }
        }
        return cumulative.lastKey();
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> out = new TreeMap<>();
        Matcher m = LABEL.matcher(text);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    /** A table a person reads in a terminal. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-28s %10s %8s %7s %12s %12s  %s%n", "upstream", "first", "retries", "ratio",
                "p50 attempts", "p95 attempts", "give-ups by reason"));
        for (Row r : rows) {
            StringBuilder g = new StringBuilder();
            r.giveUpsByReason().forEach((k, v) -> g.append(g.length() == 0 ? "" : ", ").append(k).append('=').append(v));
            sb.append(String.format("%-28s %10d %8d %6.1f%% %12s %12s  %s%n", r.upstream(), r.firstAttempts(), r.retries(),
                    r.retryRatio() * 100, fmt(r.p50()), fmt(r.p95()), g.length() == 0 ? "-" : g));
        }
        if (rows.isEmpty()) {
            sb.append("(no calls to upstreams recorded yet)\n");
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Double.isInfinite(v) ? ">20" : String.valueOf((long) v);
    }
}
