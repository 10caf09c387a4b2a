package io.selfheal.breaker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The token bucket: the arithmetic behind "a total outage costs at most max-tokens retries", and the default ratio. */
class RetryBudgetTest {

    private static RetryBudget budget(int maxTokens, double ratio) {
        return new RetryBudget("u", new BudgetSettings(true, maxTokens, ratio));
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
    void aRefillStartsTheBucketFullAgain() {
        RetryBudget b = budget(10, 0.1);
        while (b.tryAcquireRetry()) {
            // drain
        }
        assertThat(b.tokens()).isLessThan(1);
        b.refill();
        assertThat(b.tokens()).isEqualTo(10.0);
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

    /**
     * Messages through a budget, one after another: each fails {@code failures(i)} times before it succeeds; a failure
     * retries only with a token. Returns how many messages gave up because a retry was denied.
     */
    private static int deniedFor(RetryBudget b, int messages, java.util.function.IntUnaryOperator failures) {
        int denied = 0;
        for (int i = 0; i < messages; i++) {
            int fails = failures.applyAsInt(i);
            boolean given = false;
            for (int f = 0; f < fails && !given; f++) {
                if (!b.tryAcquireRetry()) {
                    denied++;
                    given = true;
                }
            }
            if (!given) {
                b.onSuccess();
            }
        }
        return denied;
    }

    @Test
    void theShippedDefaultsLetAFlakyUpstreamHeal() {
        // the fault benchmark's phase A: 20 % of messages fail 1 or 2 times, 5 % once (a 429), the rest never;
        // that is ~0.37 retries per success, which a ratio of 0.1 could not pay for (about 7 in 10 retries denied)
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        int[] script = new int[10_000];
        for (int i = 0; i < script.length; i++) {
            double r = random.nextDouble();
            script[i] = r < 0.20 ? 1 + random.nextInt(2) : r < 0.25 ? 1 : 0;
        }
        int failing = (int) java.util.Arrays.stream(script).filter(n -> n > 0).count();
        // a burst of failing messages can still empty the 10 tokens now and then: fewer than 1 in 500 gives up
        assertThat(deniedFor(new RetryBudget("u", BudgetSettings.defaults()), script.length, i -> script[i]))
                .isLessThan(failing / 500);
        // with 0.1 per success most of them would give up as BUDGET_EXHAUSTED
        assertThat(deniedFor(budget(10, 0.1), script.length, i -> script[i])).isGreaterThan(failing / 2);
        // calls fail independently at 25 % (a retry as likely to fail as a first call): 1/3 retry per success
        java.util.SplittableRandom coin = new java.util.SplittableRandom(11);
        int[] geometric = new int[10_000];
        for (int i = 0; i < geometric.length; i++) {
            while (coin.nextDouble() < 0.25 && geometric[i] < 7) {
                geometric[i]++;
            }
        }
        assertThat(deniedFor(new RetryBudget("u", BudgetSettings.defaults()), geometric.length, i -> geometric[i]))
                .isLessThan(geometric.length / 100);
    }

    @Test
    void theShippedDefaultsStillCapATotalOutageAtMaxTokensRetries() {
        // nothing succeeds, so nothing refills: 1,000 messages asking for up to 7 retries each get max-tokens in all
        RetryBudget b = new RetryBudget("u", BudgetSettings.defaults());
        for (int i = 0; i < 1000; i++) {
            for (int retry = 0; retry < 7 && b.tryAcquireRetry(); retry++) {
                // retried, failed again
            }
        }
        assertThat(b.granted()).isEqualTo(BudgetSettings.DEFAULT_MAX_TOKENS);
    }

    @Test
    void aDisabledBudgetGrantsEverything() {
        RetryBudget b = new RetryBudget("u", new BudgetSettings(false, BudgetSettings.DEFAULT_MAX_TOKENS, BudgetSettings.DEFAULT_TOKEN_RATIO));
        for (int i = 0; i < 100; i++) {
            assertThat(b.tryAcquireRetry()).isTrue();
        }
    }
}
