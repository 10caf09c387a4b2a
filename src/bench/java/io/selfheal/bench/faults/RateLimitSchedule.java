package io.selfheal.bench.faults;

import io.selfheal.testing.RateLimitedUpstream;

/**
 * The rate-limit schedules: an upstream behind one token bucket shared by every caller, {@link #rate()} requests/s
 * with a burst of {@link #burst()}, answering 429 {@code Retry-After: 1} beyond it; {@link #workers()} workers deliver
 * {@link #messages()} messages. In the changing schedule the limit is divided by {@link #factor()} from
 * {@link #changeAtMs()} for {@link #changeForMs()}, then comes back.
 *
 * @param section the BENCHMARKS.md section it is published in
 */
public record RateLimitSchedule(String name, String section, int messages, int rate, int burst, int workers,
                                long changeAtMs, long changeForMs, int factor) {
    public static final long SERVICE_MS = 2;

    /** R = 40/s, burst 5, 8 workers, 800 messages (20 × R, the least): the theoretical best is 20 s. */
    public static RateLimitSchedule globalLimit() {
        return new RateLimitSchedule("global rate limit", "faults-ratelimit", 800, 40, 5, 8, 0, 0, 1);
    }

    /**
     * The same, with the limit halved from 5 s to 25 s: 200 messages fit before the change, 400 into it, and 400 need
     * 10 s at the full rate after it, so both changes meet a backlog. The theoretical best is 35 s.
     */
    public static RateLimitSchedule changingLimit() {
        return new RateLimitSchedule("changing limit", "faults-changing", 1000, 40, 5, 8, 5_000, 20_000, 2);
    }

    public boolean changes() {
        return factor != 1 && changeForMs > 0;
    }

    public long changeEndMs() {
        return changeAtMs + changeForMs;
    }

    /** The upstream's limit {@code ms} after the start, requests/s. */
    public double rateAt(long ms) {
        return changes() && ms >= changeAtMs && ms < changeEndMs() ? (double) rate / factor : rate;
    }

    /**
     * The theoretical best wall time: when the limit has admitted every message, each call made exactly when a token
     * is there (N / R for a constant limit; the burst's head start left out, as the N / R does), in ms.
     */
    public long theoreticalBestMillis() {
        double admitted = 0;
        long ms = 0;
        while (admitted < messages) {
            admitted += rateAt(ms) / 1000.0;
            ms++;
        }
        return ms;
    }

    /**
     * How long a run may take before it is cut off: the theoretical best plus 20 s (1.6–2 × the best, far past the
     * goal of 1.25 ×), so both schedules' five contenders take under eight minutes at worst.
     */
    public long timeoutSeconds() {
        return theoreticalBestMillis() / 1000 + 20;
    }

    public String describe() {
        String limit = "a token bucket of " + rate + " requests/s with a burst of " + burst + " shared by every caller, "
                + "429 `Retry-After: " + RateLimitedUpstream.RETRY_AFTER_SECONDS + "` beyond it";
        String change = changes() ? "; the limit falls to " + (rate / factor) + " requests/s from "
                + FaultScheduleBenchmark.seconds(changeAtMs) + " to " + FaultScheduleBenchmark.seconds(changeEndMs())
                + " after the start, then is " + rate + " again" : "";
        return messages + " messages, " + workers + " workers (seda consumers for the Camel contenders, threads for "
                + "the synchronous ones); the upstream (JDK HttpServer on 127.0.0.1, " + SERVICE_MS + " ms per accepted "
                + "call) is " + limit + change + ".";
    }
}
