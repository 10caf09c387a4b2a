package io.selfheal.camel.breaker;

import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.AttemptListener;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;

import io.selfheal.breaker.RetryBudget;
import io.selfheal.classify.Classification;
import io.selfheal.retry.AttemptHistory;
import io.selfheal.retry.GiveUpReason;
import io.selfheal.retry.RetryDecision;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Makes every proposed retry of a guarded call that reached its upstream pay one token of that upstream's retry
 * budget; with none left the exchange gives up with {@code BUDGET_EXHAUSTED}. A retry after the gate turned the
 * attempt away (breaker open, Retry-After hold, send rate) is free: that attempt added no load, and the breaker already limits
 * what gets through. A retry after a throttle (429, or any answer with Retry-After) is free too: the budget protects a
 * sick upstream from retry load, and a rate limiter protects itself and says when to come back (the send rate then
 * paces the calls). So the calls a failing upstream sees are at most the first attempts plus the tokens spent.
 */
public final class RetryBudgetListener implements AttemptListener {
    private static final Logger LOG = LoggerFactory.getLogger("io.selfheal.budget");

    private final SelfhealRuntime runtime;

    public RetryBudgetListener(SelfhealRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public RetryDecision onFailedAttempt(Exchange exchange, String upstream, Classification classification,
                                         AttemptHistory history, RetryDecision proposed) {
        GuardedCall call = ExchangeState.guardedCall(exchange);
        if (!proposed.retry() || call == null || !call.reached() || call.failure() != exchange.getException()
                || classification.throttled()) {
            return proposed;
        }
        RetryBudget budget = runtime.budgets().forUpstream(call.upstream());
        if (budget.tryAcquireRetry()) {
            return proposed;
        }
        LOG.warn("retry denied: upstream={} reason=BUDGET_EXHAUSTED (tokens {} of {}, refilled {} per success) route={} "
                        + "attempt={} exchange={}", call.upstream(),
                String.format(Locale.ROOT, "%.1f", budget.tokens()), budget.settings().maxTokens(),
                budget.settings().tokenRatio(), exchange.getFromRouteId(), history.failures(), exchange.getExchangeId());
        return RetryDecision.giveUp(GiveUpReason.BUDGET_EXHAUSTED);
    }

    @Override
    public String toString() {
        return "RetryBudgetListener";
    }
}
