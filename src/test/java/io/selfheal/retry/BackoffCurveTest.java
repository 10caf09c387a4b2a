package io.selfheal.retry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffCurveTest {
    private static final int DRAWS = 20_000;
    private final RetryPolicy policy = RetryPolicy.defaults();
    private final BackoffCurve curve = policy.transientCurve();

    @Test
    void nominalCurveDoublesFromOneSecondUpToTheCap() {
        assertThat(curve.nominalMillis(1)).isEqualTo(1_000);
        assertThat(curve.nominalMillis(2)).isEqualTo(2_000);
        assertThat(curve.nominalMillis(3)).isEqualTo(4_000);
        assertThat(curve.nominalMillis(5)).isEqualTo(16_000);
        assertThat(curve.nominalMillis(6)).isEqualTo(30_000);
        assertThat(curve.nominalMillis(60)).isEqualTo(30_000);
    }

    @Test
    void everyDrawIsInsideTheJitterBandAndNeverAboveTheCap() {
        SplittableRandom random = new SplittableRandom(42);
        for (int n = 1; n <= 12; n++) {
            long nominal = curve.nominalMillis(n);
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < DRAWS; i++) {
                long d = curve.delay(n, random).toMillis();
                assertThat(d).isBetween((long) Math.floor(nominal * 0.5), (long) Math.ceil(nominal * 1.5));
                assertThat(d).isLessThanOrEqualTo(30_000);
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            // the draws really spread: they reach near both ends of the allowed band
            long high = Math.min((long) (nominal * 1.5), 30_000);
            long low = (long) (nominal * 0.5);
            assertThat(min).as("retry %d lowest", n).isLessThan(low + (high - low) / 20 + 1);
            assertThat(max).as("retry %d highest", n).isGreaterThan(high - (high - low) / 20 - 1);
        }
    }

    @Test
    void atTheCapDelaysStillSpreadOverTheLowerHalf() {
        SplittableRandom random = new SplittableRandom(7);
        int[] buckets = new int[10];
        for (int i = 0; i < DRAWS; i++) {
            long d = curve.delay(20, random).toMillis();
            assertThat(d).isBetween(15_000L, 30_000L);
            buckets[(int) Math.min(9, (d - 15_000) * 10 / 15_001)]++;
        }
        // roughly uniform over [max × (1 - jitter), max]: no bucket empty, none holding the mass (no lock step at the cap)
        for (int b : buckets) {
            assertThat(b).isBetween(DRAWS / 10 / 2, DRAWS / 10 * 2);
        }
        long atCapExactly = 0;
        for (int i = 0; i < DRAWS; i++) {
            if (curve.delay(20, random).toMillis() == 30_000) {
                atCapExactly++;
            }
        }
        assertThat(atCapExactly).isLessThan(DRAWS / 100);
    }

    @Test
    void zeroJitterGivesTheExactCurve() {
        RetryPolicy exact = RetryPolicy.builder().jitter(0).initialDelay(Duration.ofMillis(100)).build();
        SplittableRandom random = new SplittableRandom(1);
        assertThat(exact.transientCurve().delay(1, random)).isEqualTo(Duration.ofMillis(100));
        assertThat(exact.transientCurve().delay(3, random)).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void recoverableCurveStartsAtItsLongerFirstDelay() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 1000; i++) {
            long d = policy.recoverableCurve().delay(1, random).toMillis();
            assertThat(d).isBetween(5_000L, 15_000L);
        }
    }
}
