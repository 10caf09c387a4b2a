package io.selfheal.camel.retry;

import io.selfheal.camel.Selfheal;

import org.apache.camel.Channel;
import org.apache.camel.LoggingLevel;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.model.RedeliveryPolicyDefinition;
import org.apache.camel.model.errorhandler.DefaultErrorHandlerDefinition;
import org.apache.camel.processor.errorhandler.DefaultErrorHandler;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.camel.reifier.errorhandler.DefaultErrorHandlerReifier;
import org.apache.camel.reifier.errorhandler.ErrorHandlerReifier;
import org.apache.camel.spi.CamelLogger;
import org.slf4j.LoggerFactory;

/**
 * The error handler of the {@code self-healing} route configuration: Camel's default error handler, configured the same
 * way, reified as a {@link SelfhealErrorHandler}. A route heals when its error handler is this one.
 */
public final class SelfhealErrorHandlerDefinition extends DefaultErrorHandlerDefinition {
    static {
        ErrorHandlerReifier.registerReifier(SelfhealErrorHandlerDefinition.class,
                (route, definition) -> new Reifier(route, (SelfhealErrorHandlerDefinition) definition));
    }

    /** True when the route's steps run Selfheal's error handler (it inherits {@code self-healing} or its clauses). */
    public static boolean heals(Route route) {
        if (route == null || route.navigate() == null || route.navigate().next() == null) {
            return false;
        }
        for (Processor step : route.navigate().next()) {
            if (step instanceof Channel channel && channel.getErrorHandler() instanceof SelfhealErrorHandler) {
                return true;
            }
        }
        return false;
    }

    @Override
    public SelfhealErrorHandlerDefinition cloneBuilder() {
        SelfhealErrorHandlerDefinition answer = new SelfhealErrorHandlerDefinition();
        cloneBuilder(answer);
        return answer;
    }

    /** Camel's DefaultErrorHandlerReifier, building the Selfheal handler instead. */
    static final class Reifier extends DefaultErrorHandlerReifier {
        private final SelfhealErrorHandlerDefinition definition;

        Reifier(Route route, SelfhealErrorHandlerDefinition definition) {
            super(route, definition);
            this.definition = definition;
        }

        @Override
        public Processor createErrorHandler(Processor processor) throws Exception {
            SelfhealErrorHandler answer = new SelfhealErrorHandler(camelContext, processor, logger(),
                    getProcessor(definition.getOnRedeliveryProcessor(), definition.getOnRedeliveryRef()),
                    redeliveryPolicy(),
                    getPredicate(definition.getRetryWhilePredicate(), definition.getRetryWhileRef()),
                    getExecutorService(definition.getExecutorServiceBean(), definition.getExecutorServiceRef()),
                    getProcessor(definition.getOnPrepareFailureProcessor(), definition.getOnPrepareFailureRef()),
                    getProcessor(definition.getOnExceptionOccurredProcessor(), definition.getOnExceptionOccurredRef()));
            configure(answer);
            return answer;
        }

        private CamelLogger logger() {
            CamelLogger logger = definition.getLoggerBean();
            if (logger == null && definition.getLoggerRef() != null) {
                logger = mandatoryLookup(definition.getLoggerRef(), CamelLogger.class);
            }
            if (logger == null) {
                logger = new CamelLogger(LoggerFactory.getLogger(DefaultErrorHandler.class), LoggingLevel.ERROR);
            }
            if (definition.getLevel() != null) {
                logger.setLevel(parse(LoggingLevel.class, definition.getLevel()));
            }
            return logger;
        }

        private RedeliveryPolicy redeliveryPolicy() {
            RedeliveryPolicyDefinition policy = definition.hasRedeliveryPolicy() ? definition.getRedeliveryPolicy() : null;
            if (policy != null) {
                return ErrorHandlerReifier.createRedeliveryPolicy(policy, camelContext, null);
            }
            if (definition.getRedeliveryPolicyRef() != null) {
                return mandatoryLookup(definition.getRedeliveryPolicyRef(), RedeliveryPolicy.class);
            }
            return RedeliveryPolicy.DEFAULT_POLICY;
        }
    }
}
