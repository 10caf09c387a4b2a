package io.selfheal.bench.overhead;

import io.selfheal.camel.Selfheal;

import java.util.ArrayList;
import java.util.List;

/**
 * The Selfheal and stock Camel routes started side by side in one JVM and measured in alternating one-second turns,
 * the order swapped each round. JMH's forks run one after another, so a change of load between two forks moves
 * their ratio; here both routes meet the same load within a second of each other, and the ratio is the median of
 * the per-round ratios. Not JMH: one JVM for both means one JIT for both, which is the point here.
 */
final class InterleavedRatio {
    static final long WARM_UP_NANOS = 12_000_000_000L;
    static final long TURN_NANOS = 1_000_000_000L;

    /** Per-round Selfheal ÷ stock ratios. */
    record Result(List<Double> ratios, double selfhealPerSecond, double stockPerSecond) {
    }

    private InterleavedRatio() {
    }

    static Result measure(String upstream, int rounds) throws Exception {
        RoutingOverhead selfheal = started(RoutingOverhead.SELFHEAL, upstream);
        RoutingOverhead stock = started(RoutingOverhead.STOCK, upstream);
        try {
            long warmUpEnd = System.nanoTime() + WARM_UP_NANOS;
            while (System.nanoTime() < warmUpEnd) {
                turn(selfheal, TURN_NANOS / 10);
                turn(stock, TURN_NANOS / 10);
            }
            List<Double> ratios = new ArrayList<>();
            double s = 0;
            double c = 0;
            for (int round = 0; round < rounds; round++) {
                double a;
                double b;
                if (round % 2 == 0) {
                    a = turn(selfheal, TURN_NANOS);
                    b = turn(stock, TURN_NANOS);
                } else {
                    b = turn(stock, TURN_NANOS);
                    a = turn(selfheal, TURN_NANOS);
                }
                ratios.add(a / b);
                s += a;
                c += b;
            }
            return new Result(ratios, s / rounds, c / rounds);
        } finally {
            selfheal.stop();
            stock.stop();
        }
    }

    private static RoutingOverhead started(String handling, String upstream) throws Exception {
        RoutingOverhead r = new RoutingOverhead();
        r.handling = handling;
        r.upstream = upstream;
        r.start();
        return r;
    }

    /** Exchanges per second over one turn of about the given length. */
    private static double turn(RoutingOverhead route, long nanos) throws Exception {
        long start = System.nanoTime();
        long end = start + nanos;
        long n = 0;
        long now;
        do {
            for (int i = 0; i < 50; i++) {
                route.exchange();
            }
            n += 50;
            now = System.nanoTime();
        } while (now < end);
        return n / ((now - start) / 1e9);
    }
}
