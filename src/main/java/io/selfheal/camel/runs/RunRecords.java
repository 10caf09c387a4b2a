package io.selfheal.camel.runs;

import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.escalation.Escalator;
import io.selfheal.escalation.GiveUp;
import io.selfheal.retry.AttemptHistory;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.SplitDefinition;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

import java.util.List;

/**
 * The records of a run: each split item of the run's own exchange (found where the item's first step starts, counted
 * once however often that step is redelivered), or the run's exchange itself when its route does not split. A record
 * is judged when its unit of work is done: parked (it gave up and the escalation parked it), delivered on its first
 * try, or after retries (an attempt of its own failed). A record that failed without being parked fails the run: it
 * is neither delivered nor waiting anywhere.
 */
final class RunRecords implements InterceptStrategy {
    /** Internal: the run an exchange of a job belongs to. */
    static final String ACTIVE_RUN = "SelfhealActiveRun";
    /** Internal: set on a split item once it is counted as a record, with what it inherited from the run's exchange. */
    private static final String RECORD = "SelfhealRunRecord";

    /** What an item copied from its parent: not its own retries or give-up. */
    private record Inherited(AttemptHistory history, GiveUp giveUp) {
        static Inherited of(Exchange exchange) {
            return new Inherited(ExchangeState.history(exchange),
                    exchange.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class));
        }
    }

    static final Inherited NOTHING = new Inherited(null, null);

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        if (!(definition instanceof ProcessorDefinition<?> node)
                || !(node.getParent() instanceof SplitDefinition split) || split.getOutputs().indexOf(node) != 0) {
            return target;
        }
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                begin(exchange);
                return super.process(exchange, callback);
            }
        };
    }

    private static void begin(Exchange exchange) {
        ActiveRun run = exchange.getProperty(ACTIVE_RUN, ActiveRun.class);
        if (run == null || exchange.getProperty(RECORD) != null
                || !run.exchangeId().equals(exchange.getProperty(ExchangePropertyKey.CORRELATION_ID, String.class))) {
            return; // not in a run, counted already (a redelivery of the first step), or an item of an item
        }
        Inherited inherited = Inherited.of(exchange);
        exchange.setProperty(RECORD, inherited);
        run.tally().records(1);
        // the item's own unit of work: done once all its steps are
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange item) {
                judge(run, item, inherited);
            }
        });
    }

    /** The run's exchange as its only record (its route does not split). */
    static void judgeWhole(ActiveRun run, Exchange exchange) {
        run.tally().records(1);
        judge(run, exchange, NOTHING);
    }

    private static void judge(ActiveRun run, Exchange exchange, Inherited inherited) {
        GiveUp giveUp = exchange.getProperty(SelfhealProperties.GIVE_UP, GiveUp.class);
        if (giveUp == inherited.giveUp()) {
            giveUp = null;
        }
        boolean parked = exchange.getProperty(Escalator.PARKED_ID) != null;
        if (giveUp != null && parked) {
            run.tally().parked(giveUp.reason(), giveUp.attempts(), giveUp.elapsed(), giveUp.upstream(),
                    statuses(giveUp.outcomes()));
        } else if (giveUp != null || exchange.isFailed()) {
            run.failed(giveUp != null ? "a record gave up and could not be parked: " + giveUp.summary()
                    : "a record failed outside self-healing: " + describe(exchange.getException()));
        } else {
            AttemptHistory history = ExchangeState.history(exchange);
            if (history != null && history != inherited.history() && history.failures() > 0) {
                run.tally().deliveredAfterRetries();
            } else {
                run.tally().deliveredFirstTry();
            }
        }
    }

    /** "HTTP 500" as "500", as a page says it ("all attempts returned 500 from inventory-service"). */
    private static List<String> statuses(List<String> outcomes) {
        return outcomes.stream().map(o -> o != null && o.startsWith("HTTP ") ? o.substring(5) : o).toList();
    }

    static String describe(Throwable failure) {
        return failure == null ? "no exception recorded" : failure.getClass().getSimpleName();
    }
}
