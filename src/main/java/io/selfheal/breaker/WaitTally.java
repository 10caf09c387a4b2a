package io.selfheal.breaker;

import io.selfheal.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the calls one upstream's gate turned away, by what made them wait, and says each period once at INFO: a
 * refusal is a wait, not an event (it is logged at DEBUG by the attempt log), so one line per Retry-After hold, send
 * rate change or open period says how many calls waited and for how long.
 */
final class WaitTally {
    static final Logger LOG = LoggerFactory.getLogger("io.selfheal.breaker");

    private final Period held = new Period();
    private final Period breaker = new Period();
    private final Period paced = new Period();

    void held(Duration wait) {
        held.add(wait);
    }

    void breaker(Duration wait) {
        breaker.add(wait);
    }

    void paced(Duration wait) {
        paced.add(wait);
    }

    /** A call passed a hold that is over: the hold's line, once. */
    void holdOver(String upstream) {
        if (held.count.get() == 0) {
            return;
        }
        String summary = held.drain();
        if (summary != null) {
            LOG.info("upstream {}: Retry-After hold over; {}", upstream, summary);
        }
    }

    /** The breaker left the open state: the open period's line. */
    void openOver(String upstream, Duration openFor) {
        String summary = breaker.drain();
        LOG.info("breaker {}: open period of {} over; {}", upstream, Durations.human(openFor),
                summary == null ? "no call waited" : summary);
    }

    /** The send rate was lowered: the line of the rate before it. */
    void throttled(String upstream, AdaptiveSendRate rate) {
        String summary = paced.drain();
        LOG.info("upstream {} throttled: send rate now {} (measured {} calls/s); {}", upstream, rate,
                String.format(Locale.ROOT, "%.1f", rate.measuredRate()),
                summary == null ? "no call waited for a send slot since the last change" : summary + " for a send slot since the last change");
    }

    private static final class Period {
        final AtomicLong count = new AtomicLong();
        final AtomicLong longestMillis = new AtomicLong();

        void add(Duration wait) {
            count.incrementAndGet();
            longestMillis.accumulateAndGet(wait.toMillis(), Math::max);
        }

        /** "N calls waited (longest X)", resetting the period; null when none waited. */
        String drain() {
            long n = count.getAndSet(0);
            long longest = longestMillis.getAndSet(0);
            if (n == 0) {
                return null;
            }
            return n + (n == 1 ? " call waited" : " calls waited") + " (longest " + Durations.human(Duration.ofMillis(longest)) + ")";
        }
    }
}
