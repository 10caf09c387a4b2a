package io.selfheal.camel;

import io.selfheal.camel.retry.HttpFailures;

import io.selfheal.breaker.BreakerRegistry;
import io.selfheal.breaker.RetryBudgets;
import io.selfheal.classify.ClassificationRules;
import io.selfheal.classify.FailureClassifier;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.escalation.Redactor;
import io.selfheal.observe.SelfhealMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.selfheal.retry.RetryPolicy;
import org.apache.camel.CamelContext;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import java.util.SplittableRandom;

/**
 * The live Selfheal of one CamelContext: its validated configuration, the classifier, the clock and the listeners.
 * Bound in the registry as {@value #BEAN_NAME}; the route configuration's processors find it there.
 */
public final class SelfhealRuntime {
    public static final String BEAN_NAME = "selfheal";

    private final SelfhealConfig config;
    private volatile FailureClassifier classifier;
    private final Clock clock;
    private final Redactor redactor;
    private final List<AttemptListener> listeners = new CopyOnWriteArrayList<>();
    private final SelfhealMeters meters;
    private final BreakerRegistry breakers;
    private final RetryBudgets budgets;

    public SelfhealRuntime(SelfhealConfig config, Clock clock) {
        this(config, clock, new SelfhealMeters(new SimpleMeterRegistry()));
    }

    public SelfhealRuntime(SelfhealConfig config, Clock clock, SelfhealMeters meters) {
        this.meters = Objects.requireNonNull(meters);
        this.config = Objects.requireNonNull(config);
        this.clock = Objects.requireNonNull(clock);
        this.classifier = new FailureClassifier(config.classificationRules(), ClassificationRules.builtIn(),
                config.defaultClass(), HttpFailures::extract);
        this.redactor = Redactor.defaults();
        this.breakers = new BreakerRegistry(config.breakers(), clock);
        this.budgets = new RetryBudgets(config.budgets());
        breakers.onTransitionEvent(t -> {
            if (t.from() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.HALF_OPEN
                    && t.to() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED) {
                budgets.forUpstream(t.upstream()).refill();
            }
        });
    }

    public static SelfhealRuntime of(CamelContext context) {
        SelfhealRuntime r = InstalledBeans.lookup(context, BEAN_NAME, SelfhealRuntime.class);
        if (r == null) {
            throw new IllegalStateException("Selfheal is not installed in CamelContext " + context.getName()
                    + ": call Selfheal.install(context) or run through SelfhealMain");
        }
        return r;
    }

    public SelfhealConfig config() {
        return config;
    }

    public FailureClassifier classifier() {
        return classifier;
    }

    /** Adds classification rules in code (a domain exception as TRANSIENT, say); they win over configuration. */
    public void addClassificationRules(ClassificationRules rules) {
        this.classifier = classifier.withUserRules(rules);
    }

    public RetryPolicy policyFor(String upstream) {
        return config.policyFor(upstream);
    }

    /** The per-upstream circuit breakers: state, transition listeners (see {@link BreakerRegistry}). */
    public BreakerRegistry breakers() {
        return breakers;
    }

    /** The per-upstream retry budgets. */
    public RetryBudgets budgets() {
        return budgets;
    }

    public Clock clock() {
        return clock;
    }

    public Redactor redactor() {
        return redactor;
    }

    /** Jitter needs no cryptographic quality; a per-call generator avoids contention. */
    public RandomGenerator random() {
        return new SplittableRandom();
    }

    public SelfhealMeters meters() {
        return meters;
    }

    public void addListener(AttemptListener listener) {
        listeners.add(listener);
    }

    public List<AttemptListener> listeners() {
        return listeners;
    }
}
