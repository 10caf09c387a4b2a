package io.selfheal.camel.breaker;

import io.selfheal.camel.ClassifiedFailure;
import io.selfheal.camel.SelfhealRuntime;

import io.selfheal.breaker.RetryBudget;
import io.selfheal.retry.AttemptHistory;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.retry.RetryCheck;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Optional;

/**
 * Makes every retry of a guarded call that reached its upstream pay one token of that upstream's retry budget; with
 * none left the exchange gives up with {@code BUDGET_EXHAUSTED}. A retry after the gate turned the attempt away
 * (breaker open, Retry-After hold, send rate) is free: that attempt added no load, and the breaker already limits
 * what gets through. A retry after a throttle (429, or any answer with Retry-After) is free too: the budget protects a
 * sick upstream from retry load, and a rate limiter protects itself and says when to come back (the send rate then
 * paces the calls). So the calls a failing upstream sees are at most the first attempts plus the tokens spent.
 */
public final class RetryBudgetCheck {
    private static final Logger LOG = LoggerFactory.getLogger("io.selfheal.budget");

    private RetryBudgetCheck() {
    }

    /**
     * The check for the failure just raised: {@code call} is what the gate recorded, null when the failing step was
     * not a guarded call (which spends no token).
     */
    public static RetryCheck of(SelfhealRuntime runtime, Exchange exchange, GuardedCall call, ClassifiedFailure failure,
                                AttemptHistory history) {
        return () -> {
            if (call == null || !call.reached() || call.failure() != failure || failure.classification().throttled()) {
                return Optional.empty();
            }
            RetryBudget budget = runtime.budgets().forUpstream(call.upstream());
            if (budget.tryAcquireRetry()) {
                return Optional.empty();
            }
            LOG.warn("retry denied: upstream={} reason=BUDGET_EXHAUSTED (tokens {} of {}, refilled {} per success) "
                            + "route={} attempt={} exchange={}", call.upstream(),
                    String.format(Locale.ROOT, "%.1f", budget.tokens()), budget.settings().maxTokens(),
                    budget.settings().tokenRatio(), exchange.getFromRouteId(), history.failures(),
                    exchange.getExchangeId());
            return Optional.of(GiveUpReason.BUDGET_EXHAUSTED);
        };
    }
}
