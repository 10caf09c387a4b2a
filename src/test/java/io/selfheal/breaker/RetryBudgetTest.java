package io.selfheal.breaker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The token bucket: the arithmetic behind "retries add at most about 10 %". */
class RetryBudgetTest {

    private static RetryBudget budget(int maxTokens, double ratio) {
        return new RetryBudget("u", BudgetSettings.builder("selfheal.budget.u.").maxTokens(maxTokens).tokenRatio(ratio).build());
    }

    @Test
    void aTotalOutageCostsAtMostMaxTokensRetries() {
        RetryBudget b = budget(10, 0.1);
        int granted = 0;
        for (int i = 0; i < 1000; i++) {
            if (b.tryAcquireRetry()) {
                granted++;
            }
        }
        assertThat(granted).isEqualTo(10);
        assertThat(b.denied()).isEqualTo(990);
    }

    @Test
    void successesRefillByTheRatioUpToTheMaximum() {
        RetryBudget b = budget(10, 0.1);
        while (b.tryAcquireRetry()) {
            // drain
        }
        for (int i = 0; i < 9; i++) {
            b.onSuccess();
        }
        assertThat(b.tryAcquireRetry()).isFalse();
        b.onSuccess();
        assertThat(b.tryAcquireRetry()).isTrue();
        for (int i = 0; i < 1000; i++) {
            b.onSuccess();
        }
        assertThat(b.tokens()).isEqualTo(10.0);
    }

    @Test
    void underPartialFailureRetriesStayNearTheRatioOfTheLoad() {
        // 10 000 first attempts, half of them fail and ask for a retry: at most 10 + 0.1 × successes are granted
        RetryBudget b = budget(10, 0.1);
        int successes = 0;
        int granted = 0;
        for (int i = 0; i < 10_000; i++) {
            if (i % 2 == 0) {
                b.onSuccess();
                successes++;
            } else if (b.tryAcquireRetry()) {
                granted++;
            }
        }
        assertThat(granted).isLessThanOrEqualTo(10 + (int) Math.ceil(0.1 * successes));
        assertThat(granted).isGreaterThan(400);
    }

    @Test
    void aDisabledBudgetGrantsEverything() {
        RetryBudget b = new RetryBudget("u", BudgetSettings.builder("selfheal.budget.u.").enabled(false).build());
        for (int i = 0; i < 100; i++) {
            assertThat(b.tryAcquireRetry()).isTrue();
        }
    }
}
