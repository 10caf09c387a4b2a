package io.selfheal.breaker;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The adaptive send rate on a time source the test moves: engagement, decrease, CUBIC climb and booked slots. */
class AdaptiveSendRateTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AdaptiveSendRate rate = new AdaptiveSendRate(now::get, Duration.ofMillis(100));

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    /** Sends at {@code perSecond} for {@code seconds}, each send answered as a success. */
    private void sendAt(double perSecond, double seconds) {
        long gap = (long) (1e9 / perSecond);
        for (long t = 0; t < seconds * 1e9; t += gap) {
            rate.onSend();
            rate.onSuccess();
            now.addAndGet(gap);
        }
    }

    /** Answers throttles, each to a call sent just before, until throttles are the share that lowers the rate. */
    private void throttledInARow() {
        long decreases = rate.decreases();
        for (int i = 0; i < 20 && rate.decreases() == decreases; i++) {
            advance(Duration.ofMillis(1));
            long sent = now.get();
            advance(Duration.ofMillis(1));
            rate.onThrottle(sent);
        }
        assertThat(rate.decreases()).isEqualTo(decreases + 1);
    }

    @Test
    void offUntilThrottlingPersistsThenDropsToSeventyPercentOfTheAcceptedRate() {
        sendAt(100, 2);
        assertThat(rate.engaged()).isFalse();
        assertThat(rate.reserve(0).now()).isTrue();
        assertThat(rate.measuredRate()).isCloseTo(100, within(10.0));
        double accepted = rate.acceptedRate();

        // one 429 among many answers is not a limit
        rate.onThrottle(now.get());
        assertThat(rate.engaged()).isFalse();
        throttledInARow();
        assertThat(rate.engaged()).isTrue();
        assertThat(rate.rate()).isCloseTo(0.7 * accepted, within(2.0));
        // burst: 100 ms worth of the rate
        assertThat(rate.burst()).isCloseTo(rate.rate() * 0.1, within(0.01));
    }

    @Test
    void theOdd429OfAnUpstreamThatIsNotOverItsLimitNeverLowersTheRate() {
        // one answer in 25 is a 429, for ten seconds: a per-message quota, not a rate limit
        long gap = 10_000_000L;
        for (int i = 1; i <= 1000; i++) {
            rate.onSend();
            if (i % 25 == 0) {
                rate.onThrottle(now.get());
            } else {
                rate.onSuccess();
            }
            now.addAndGet(gap);
        }
        assertThat(rate.throttles()).isEqualTo(40);
        assertThat(rate.decreases()).isZero();
        assertThat(rate.engaged()).isFalse();
        assertThat(rate.throttleShare()).isLessThan(AdaptiveSendRate.THROTTLE_SHARE);
    }

    @Test
    void queuedCallersAreBookedOneSlotApartAndNoSlotIsGivenTwice() {
        sendAt(50, 2);
        throttledInARow();
        double r = rate.rate();
        // callers arrive together: the bucket starts empty, so each waits one slot more than the one before, as far
        // as the booking horizon reaches
        int bookable = (int) Math.floor(r * AdaptiveSendRate.BOOKING_HORIZON.toNanos() / 1e9);
        Duration previous = Duration.ZERO;
        for (int i = 1; i <= bookable; i++) {
            AdaptiveSendRate.Slot slot = rate.reserve(0);
            assertThat(slot.booked()).isTrue();
            assertThat(slot.delay().toNanos()).isCloseTo((long) (i * 1e9 / r), within(1_000L));
            assertThat(slot.delay()).isGreaterThan(previous);
            previous = slot.delay();
        }
        // the next one books nothing: it is told to come back after the horizon, spread over half of it
        AdaptiveSendRate.Slot beyond = rate.reserve(1.0);
        assertThat(beyond.booked()).isFalse();
        assertThat(beyond.delay()).isEqualTo(AdaptiveSendRate.BOOKING_HORIZON.multipliedBy(3).dividedBy(2));
        assertThat(rate.reserve(0).delay()).isEqualTo(AdaptiveSendRate.BOOKING_HORIZON);
        // once the booked slots have passed, the next caller books the first free one
        advance(previous);
        AdaptiveSendRate.Slot next = rate.reserve(0);
        assertThat(next.booked()).isTrue();
        assertThat(next.delay().toNanos()).isCloseTo((long) (1e9 / r) - (previous.toNanos() - (long) (bookable * 1e9 / r)), within(1_000_000L));
    }

    @Test
    void aThrottleOfACallSentBeforeTheLastDecreaseDoesNotLowerTheRateAgain() {
        sendAt(100, 2);
        long sentBefore = now.get();
        advance(Duration.ofMillis(5));
        throttledInARow();
        double afterFirst = rate.rate();
        long throttles = rate.throttles();
        // eight answers to calls that were in flight at the old rate
        for (int i = 0; i < 8; i++) {
            rate.onThrottle(sentBefore);
        }
        assertThat(rate.rate()).isEqualTo(afterFirst);
        assertThat(rate.throttles()).isEqualTo(throttles + 8);
        assertThat(rate.decreases()).isEqualTo(1);
        // a call sent after the decrease that is throttled again lowers it again
        advance(Duration.ofMillis(50));
        long sentAfter = now.get();
        advance(Duration.ofMillis(5));
        rate.onThrottle(sentAfter);
        assertThat(rate.rate()).isLessThan(afterFirst);
    }

    @Test
    void climbsBackAlongTheCubicCurveToTheRateBeforeTheThrottleAndBeyond() {
        sendAt(100, 2);
        throttledInARow();
        double before = rate.rate() / 0.7;
        double low = rate.rate();
        // the climb's plateau is reached after cbrt(lastMax * (1 - beta) / scale) seconds
        double window = Math.cbrt(before * 0.3 / 0.4);
        double previous = low;
        for (int step = 1; step <= 10; step++) {
            // keep sending at the allowed rate so the measured rate does not cap the climb
            sendAt(Math.max(rate.rate(), 1), window / 10);
            assertThat(rate.rate()).isGreaterThanOrEqualTo(previous - 1e-9);
            previous = rate.rate();
        }
        assertThat(rate.rate()).isCloseTo(before, within(before * 0.15));
    }

    @Test
    void neverBelowTheMinimumRate() {
        sendAt(2, 2);
        for (int i = 0; i < 60; i++) {
            advance(Duration.ofMillis(100));
            rate.onSend();
            long sent = now.get();
            advance(Duration.ofMillis(1));
            rate.onThrottle(sent);
        }
        assertThat(rate.decreases()).isGreaterThan(10);
        assertThat(rate.rate()).isGreaterThanOrEqualTo(AdaptiveSendRate.MIN_RATE);
        assertThat(rate.burst()).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void aRampStartsBelowTheRateBeforeTheOutageAndDoublesEveryHalfSecond() {
        rate.rampFrom(200);
        assertThat(rate.engaged()).isTrue();
        assertThat(rate.rate()).isCloseTo(140, within(0.5));
        advance(Duration.ofMillis(500));
        rate.onSuccess();
        assertThat(rate.rate()).isCloseTo(280, within(1.0));
        advance(Duration.ofMillis(500));
        rate.onSuccess();
        assertThat(rate.rate()).isCloseTo(560, within(2.0));
    }
}
