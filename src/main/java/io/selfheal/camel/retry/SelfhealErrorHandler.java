package io.selfheal.camel.retry;

import io.selfheal.camel.ExchangeState;
import io.selfheal.camel.SelfhealProperties;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.processor.LogProcessor;
import org.apache.camel.processor.RemoveHeaderProcessor;
import org.apache.camel.processor.RemoveHeadersProcessor;
import org.apache.camel.processor.RemovePropertiesProcessor;
import org.apache.camel.processor.RemovePropertyProcessor;
import org.apache.camel.processor.RemoveVariableProcessor;
import org.apache.camel.processor.SetBodyProcessor;
import org.apache.camel.processor.SetHeaderProcessor;
import org.apache.camel.processor.SetPropertyProcessor;
import org.apache.camel.processor.SetVariableProcessor;
import org.apache.camel.processor.TransformProcessor;
import org.apache.camel.processor.errorhandler.DefaultErrorHandler;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.camel.spi.CamelLogger;
import org.apache.camel.spi.ErrorHandler;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.support.ExchangeHelper;
import org.apache.camel.ExchangePropertyKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledExecutorService;

/**
 * Camel's default error handler with a cheaper first attempt. A handler that can redeliver makes Camel run its full
 * redelivery task for every exchange at every step, starting with a copy of the whole exchange, even though nothing
 * fails on the happy path: that is most of what a route pays for having retries at all. Here the first attempt runs
 * the step directly, as Camel's handler does when it cannot redeliver, keeping only a {@link MessageSnapshot} of the
 * IN message; only when the attempt fails does Camel's redelivery task take over, with that snapshot as the original
 * message to redeliver. From then on every decision is Camel's: the exception policies (the self-healing
 * {@code onException}), onExceptionOccurred, retryWhile, the delays, onRedelivery, the failure processor.
 * <p>
 * Steps that only evaluate an expression and then set its result (setHeader, setBody, transform, setProperty, log,
 * remove...) leave the message as it was when they fail, so they need no snapshot: on their failure the message is
 * copied then.
 * <p>
 * On shutdown (Camel prepares this handler for it once the route's consumer no longer takes new messages) every
 * exchange waiting here for a retry stops waiting ({@link RedeliveryWaits}): its retry is not made
 * ({@link ShutdownRefusal}), it gives up as {@code SHUTDOWN} and goes the normal give-up way, parked before its
 * source is acknowledged, instead of being dropped by Camel when the shutdown timeout runs out.
 */
final class SelfhealErrorHandler extends DefaultErrorHandler {
    /** Hands the snapshot of a failed first attempt to the redelivery task that the same thread creates next. */
    private static final ThreadLocal<Exchange> FAILED_FIRST_ATTEMPT = new ThreadLocal<>();

    private static final Logger LOG = LoggerFactory.getLogger(SelfhealErrorHandler.class);

    private final boolean stepKeepsMessageOnFailure;
    /** The step itself, for the first attempt: only a redelivery can be refused. */
    private AsyncProcessor step;
    private volatile RedeliveryWaits waits;
    private volatile boolean shuttingDown;

    SelfhealErrorHandler(CamelContext context, Processor output, CamelLogger logger, Processor onRedelivery,
                         RedeliveryPolicy policy, Predicate retryWhile, ScheduledExecutorService executor,
                         Processor onPrepare, Processor onExceptionOccurred) {
        super(context, output, logger, onRedelivery, policy, retryWhile, executor, onPrepare, onExceptionOccurred);
        this.stepKeepsMessageOnFailure = keepsMessageOnFailure(output);
        this.step = outputAsync;
        this.outputAsync = new RefusedWhileShuttingDown(step);
    }

    @Override
    public void changeOutput(Processor output) {
        super.changeOutput(output);
        this.step = outputAsync;
        this.outputAsync = new RefusedWhileShuttingDown(step);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        shuttingDown = false;
        if (redeliveryEnabled && executorService != null) {
            if (!(executorService instanceof RedeliveryWaits)) {
                executorService = new RedeliveryWaits(executorService);
            }
            waits = (RedeliveryWaits) executorService;
            waits.reset();
        }
    }

    @Override
    public void prepareShutdown(boolean suspendOnly, boolean forced) {
        super.prepareShutdown(suspendOnly, forced);
        if (suspendOnly) {
            return;
        }
        shuttingDown = true;
        RedeliveryWaits w = waits;
        int ended = w == null ? 0 : w.endAll();
        if (ended > 0) {
            LOG.info("shutting down: {} exchange(s) waiting for a retry stop waiting, give up as SHUTDOWN and are parked",
                    ended);
        }
    }

    static boolean keepsMessageOnFailure(Processor step) {
        return step instanceof SetHeaderProcessor || step instanceof SetBodyProcessor
                || step instanceof TransformProcessor || step instanceof SetPropertyProcessor
                || step instanceof SetVariableProcessor || step instanceof LogProcessor
                || step instanceof RemoveHeaderProcessor || step instanceof RemoveHeadersProcessor
                || step instanceof RemovePropertyProcessor || step instanceof RemovePropertiesProcessor
                || step instanceof RemoveVariableProcessor;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        if (!redeliveryEnabled || !firstAttemptOnTheFastPath(exchange)) {
            return super.process(exchange, callback);
        }
        MessageSnapshot before = stepKeepsMessageOnFailure ? null : MessageSnapshot.of(exchange.getIn());
        step.process(exchange, doneSync -> {
            if (isDone(exchange)) {
                // continue routing on the reactive executor, as Camel's own tasks do
                reactiveExecutor.schedule(callback);
                return;
            }
            FAILED_FIRST_ATTEMPT.set(before != null ? before.asOriginal(exchange) : ExchangeHelper.createCopy(exchange, true));
            try {
                super.process(exchange, callback);
            } finally {
                FAILED_FIRST_ATTEMPT.remove();
            }
        });
        return false;
    }

    /**
     * A fresh exchange on a running handler. A failed or bridged exchange, a transacted one (Camel keeps it on its
     * thread's queue) and shutdown go the way Camel's task goes.
     */
    private boolean firstAttemptOnTheFastPath(Exchange exchange) {
        return exchange.getException() == null && !exchange.isTransacted()
                && !exchange.getExchangeExtension().isInterrupted()
                && !ExchangeHelper.isErrorHandlerBridge(exchange)
                && !shutdownStrategy.isForceShutdown() && !isStoppingOrStopped();
    }

    @Override
    protected Exchange defensiveCopyExchangeIfNeeded(Exchange exchange) {
        Exchange failedFirst = FAILED_FIRST_ATTEMPT.get();
        if (failedFirst != null) {
            FAILED_FIRST_ATTEMPT.remove();
            return failedFirst;
        }
        return super.defensiveCopyExchangeIfNeeded(exchange);
    }

    /**
     * The step, except for a redelivery due while shutting down: that one is not made. The exchange fails with a
     * {@link ShutdownRefusal} (no call made) and Camel's redelivery task hands it to the failure recorder, which gives
     * it up as {@code SHUTDOWN}.
     */
    private final class RefusedWhileShuttingDown extends AsyncProcessorSupport {
        private final AsyncProcessor target;

        RefusedWhileShuttingDown(AsyncProcessor target) {
            this.target = target;
        }

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            boolean redelivery = ExchangeState.takeRedelivering(exchange);
            if (redelivery && shuttingDown) {
                exchange.setException(new ShutdownRefusal(
                        exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, Throwable.class)));
                callback.done(true);
                return true;
            }
            return target.process(exchange, callback);
        }

        @Override
        public String toString() {
            return String.valueOf(target);
        }
    }

    @Override
    public ErrorHandler clone(Processor output) {
        // the clone keeps its own waits on the same shared scheduler
        SelfhealErrorHandler answer = new SelfhealErrorHandler(camelContext, output, logger, redeliveryProcessor,
                redeliveryPolicy, retryWhilePolicy,
                executorService instanceof RedeliveryWaits w ? w.shared() : executorService,
                onPrepareProcessor, onExceptionProcessor);
        answer.exceptionPolicies = exceptionPolicies;
        return answer;
    }

    @Override
    public String toString() {
        return output == null ? "" : "SelfhealErrorHandler[" + output + "]";
    }
}
