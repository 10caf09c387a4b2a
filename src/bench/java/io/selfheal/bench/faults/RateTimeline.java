package io.selfheal.bench.faults;

import java.util.Arrays;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * What arrived at the upstream in each second of a run (1 s buckets from the start): every call, and the calls it
 * accepted. Says how soon after a change of the limit a rate settled near the new limit.
 */
final class RateTimeline {
    /** A rate within this share of the limit counts as following it. */
    static final double BAND = 0.2;

    private final int[] calls;
    private final int[] accepted;

    RateTimeline(int[] calls, int[] accepted) {
        this.calls = calls;
        this.accepted = Arrays.copyOf(accepted, calls.length);
    }

    /**
     * Whole seconds from a change to the first 1 s bucket (aligned on the change) whose rate is within
     * {@link #BAND} of {@code limit} and stays there the next second; empty when that never happens before
     * {@code untilMs}. The bucket of the run's last call is left out: it is cut short by the end of the backlog,
     * not by the limit.
     *
     * @param acceptedOnly the accepted rate when true, the send rate (every call) when false
     */
    OptionalInt settledAfter(boolean acceptedOnly, long changeAtMs, long untilMs, double limit) {
        int[] rate = acceptedOnly ? accepted : calls;
        int first = (int) (changeAtMs / 1000);
        int end = (int) Math.min(rate.length - 1L, untilMs / 1000);
        for (int k = first; k < end; k++) {
            if (within(rate[k], limit) && (k + 1 >= end || within(rate[k + 1], limit))) {
                return OptionalInt.of(k - first);
            }
        }
        return OptionalInt.empty();
    }

    private static boolean within(int rate, double limit) {
        return Math.abs(rate - limit) <= BAND * limit;
    }

    /** The buckets as one line of numbers. */
    String render(boolean acceptedOnly) {
        return Arrays.stream(acceptedOnly ? accepted : calls).mapToObj(String::valueOf).collect(Collectors.joining(" "));
    }
}
