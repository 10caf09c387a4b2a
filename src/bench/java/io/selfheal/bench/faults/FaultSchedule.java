package io.selfheal.bench.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The seeded fault schedule every contender meets. A message's faults are fixed by the seed, so every contender faces
 * the same faulty messages whatever its speed: 2 % answer 400 to every call, 5 % answer 429 with
 * {@code Retry-After: 1} to their first call, 20 % answer 503 to their first one or two calls, the rest succeed.
 * On top of that, by time: phase A from the start, phase B a total outage (every call answered 503 at once, and not
 * counted against the message's script), phase C the upstream back as in phase A.
 * <p>
 * Time is scaled by {@link #SCALE}: every contender's documented delays are divided by it (1 s → 100 ms, 60 s → 6 s),
 * so the 10 s outage stands for 100 s of real time. The one exception is Retry-After: the header speaks whole
 * seconds, so the shortest wait a server can state is 1 s (the 200 ms cannot be written).
 */
public final class FaultSchedule {
    public static final int SCALE = 10;
    public static final long PHASE_A_MS = 3_000;
    public static final long OUTAGE_MS = 10_000;
    public static final int RETRY_AFTER_SECONDS = 1;
    /** Each answered call (not an outage answer) takes this long: the upstream's work. */
    public static final long SERVICE_MS = 10;
    /** The upstream serves this many calls at once; more wait in its queue. */
    public static final int CAPACITY = 4;

    public enum Kind { CLEAN, FLAKY, RATE_LIMITED, PERMANENT }

    private final long seed;
    private final Kind[] kinds;
    private final int[] failures;

    public FaultSchedule(long seed, int messages) {
        this.seed = seed;
        this.kinds = new Kind[messages];
        this.failures = new int[messages];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < messages; i++) {
            double r = random.nextDouble();
            int k = 1 + random.nextInt(2);
            if (r < 0.02) {
                kinds[i] = Kind.PERMANENT;
            } else if (r < 0.07) {
                kinds[i] = Kind.RATE_LIMITED;
            } else if (r < 0.27) {
                kinds[i] = Kind.FLAKY;
                failures[i] = k;
            } else {
                kinds[i] = Kind.CLEAN;
            }
        }
    }

    public long seed() {
        return seed;
    }

    public int messages() {
        return kinds.length;
    }

    public Kind kind(int id) {
        return kinds[id];
    }

    /** How the upstream answers the n-th (0-based) call of a message outside the outage. */
    public int status(int id, int n) {
        return switch (kinds[id]) {
            case PERMANENT -> 400;
            case RATE_LIMITED -> n == 0 ? 429 : 200;
            case FLAKY -> n < failures[id] ? 503 : 200;
            case CLEAN -> 200;
        };
    }

    /** The fewest calls that deliver (or, for a 400, settle) this message. */
    public int minimalCalls(int id) {
        return switch (kinds[id]) {
            case PERMANENT, CLEAN -> 1;
            case RATE_LIMITED -> 2;
            case FLAKY -> failures[id] + 1;
        };
    }

    public int count(Kind k) {
        int n = 0;
        for (Kind x : kinds) {
            n += x == k ? 1 : 0;
        }
        return n;
    }

    /** The deliverable messages: all but the 400s. */
    public int deliverable() {
        return messages() - count(Kind.PERMANENT);
    }

    public int minimalCalls() {
        int n = 0;
        for (int i = 0; i < kinds.length; i++) {
            n += minimalCalls(i);
        }
        return n;
    }

    /**
     * The theoretical best wall time: an oracle that knows the schedule makes only the calls it needs, retries a 503
     * at once, waits exactly the Retry-After without holding a slot, sends nothing during the outage, and keeps the
     * upstream's {@link #CAPACITY} slots busy (each call {@link #SERVICE_MS}). Simulated, in milliseconds.
     */
    public long theoreticalBestWallMillis() {
        record Task(long ready, int id, int n) {
        }
        PriorityQueue<Task> ready = new PriorityQueue<>(Comparator.comparingLong(Task::ready).thenComparingInt(Task::id));
        for (int i = 0; i < kinds.length; i++) {
            ready.add(new Task(0, i, 0));
        }
        PriorityQueue<Long> slots = new PriorityQueue<>();
        for (int i = 0; i < CAPACITY; i++) {
            slots.add(0L);
        }
        long wall = 0;
        while (!ready.isEmpty()) {
            Task t = ready.poll();
            long start = Math.max(slots.poll(), t.ready());
            if (start >= PHASE_A_MS && start < PHASE_A_MS + OUTAGE_MS) {
                start = PHASE_A_MS + OUTAGE_MS;
            }
            long end = start + SERVICE_MS;
            slots.add(end);
            int status = status(t.id(), t.n());
            if (status == 200 || status == 400) {
                wall = Math.max(wall, end);
            } else {
                ready.add(new Task(end + (status == 429 ? RETRY_AFTER_SECONDS * 1000L : 0), t.id(), t.n() + 1));
            }
        }
        return wall;
    }

    public List<Integer> ids() {
        List<Integer> ids = new ArrayList<>(kinds.length);
        for (int i = 0; i < kinds.length; i++) {
            ids.add(i);
        }
        return ids;
    }
}
