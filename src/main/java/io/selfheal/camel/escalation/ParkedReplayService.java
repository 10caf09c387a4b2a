package io.selfheal.camel.escalation;

import io.selfheal.camel.Selfheal;
import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.retry.FailureRecorder;

import io.selfheal.escalation.ParkedSettings;
import io.selfheal.escalation.ParkedHeaders;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStore;
import io.selfheal.escalation.ParkingException;
import io.selfheal.escalation.Redactor;
import io.selfheal.retry.GiveUpReason;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.processor.MulticastProcessor;
import org.apache.camel.spi.IdAware;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Replays parked messages: re-sends one where its unit of work began (the start of the route whose step gave up,
 * through that route's own processor, so it works for every kind of consumer: file, timer, HTTP, direct, kamelet; or the
 * steps of the split item or multicast branch it was) or into a named endpoint, with its original headers and
 * Idempotency-Key and optionally a larger budget. The record becomes REPLAYED when the route completes; a replay
 * that gives up again is parked again as a new record linked to this one (REPARKED). Replays run asynchronously: no
 * thread waits through the retries of a replayed message.
 * <p>
 * It also picks up the replays requested from the command line (records in REPLAY_REQUESTED; at start, then every
 * poll interval, each poll recorded in the store so the command line can tell a job polls), and replays an
 * upstream's parked messages at a bounded rate when its breaker closes again ({@link #onUpstreamRecovered}), and
 * the messages parked at the last shutdown once the context has started ({@link #onStarted}).
 */
public final class ParkedReplayService {
    /** Exchange property on a replayed exchange: the id of the record it replays. */
    public static final String REPLAY_OF = "SelfhealReplayOf";
    /** The most records one bulk replay takes. */
    public static final int MAX_BULK = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger("io.selfheal.replay");

    private final CamelContext context;
    private final ParkedStore store;
    private final ParkedSettings config;
    private final Redactor redactor;
    private volatile ScheduledExecutorService scheduler;
    private volatile ProducerTemplate template;
    private volatile boolean polling;
    /** This job as its polls name it in the store ({@code host:pid/context}); set by the first poll. */
    private volatile String instance;
    private volatile boolean pollRecordFailed;
    /** Held while a poll or the stop is written, so a poll in flight cannot overwrite the stop. */
    private final Object pollRecord = new Object();
    /** Told of each record a replay delivered (the runs room moves the record's run). */
    private final List<java.util.function.Consumer<ParkedMessage>> onDelivered = new CopyOnWriteArrayList<>();

    ParkedReplayService(CamelContext context, ParkedStore store, ParkedSettings config) {
        this.context = context;
        this.store = store;
        this.config = config;
        this.redactor = config.redactor();
    }

    /** Calls {@code listener} with each record a replay delivered (REPLAYED), on the replay's thread; never throws. */
    public void onDelivered(java.util.function.Consumer<ParkedMessage> listener) {
        onDelivered.add(listener);
    }

    /** The replay service of a context where Selfheal is installed. */
    public static ParkedReplayService of(CamelContext context) {
        return EscalationServices.of(context).replay();
    }

    synchronized void start() {
        if (scheduler != null) {
            return;
        }
        // the context's daemon thread, with a plain JDK scheduler's unbounded queue (a bulk replay schedules up to
        // MAX_BULK sends at once, Camel's default profile holds 1000) and its refusal after stop (a replay asked for
        // then fails at once; Camel's default, caller-runs, would drop it and its future would never complete)
        scheduler = context.getExecutorServiceManager().newScheduledThreadPool(this, "selfheal-replay",
                new ThreadPoolProfileBuilder("selfheal-replay").poolSize(1).maxQueueSize(-1)
                        .allowCoreThreadTimeOut(false).rejectedPolicy(ThreadPoolRejectedPolicy.Abort).build());
    }

    /**
     * Starts the poller for the replays the command line asks for, unless {@code replay-poll-interval} is 0: its
     * first poll at once (so a request that waited in the store while no job ran is replayed as this job starts),
     * then one every interval. Called once the context has fully started, when every route that a request may
     * replay into runs (a poll before would find the route stopped and put the request back to PARKED).
     */
    synchronized void startPolling() {
        Duration interval = config.replayPollInterval();
        if (scheduler == null || polling || interval.isZero()) {
            return;
        }
        polling = true;
        scheduler.scheduleWithFixedDelay(this::pollRequested, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        boolean wasPolling = polling;
        polling = false;
        if (scheduler != null) {
            context.getExecutorServiceManager().shutdownNow(scheduler);
            scheduler = null;
        }
        synchronized (pollRecord) {
            if (wasPolling && instance != null) {
                try {
                    store.recordReplayPollerStopped(instance);
                } catch (RuntimeException e) {
                    LOG.warn("could not record in the parked store that the replay poller {} stopped: {}", instance,
                            redactor.text(String.valueOf(e.getMessage())));
                }
            }
        }
        if (template != null) {
            try {
                template.stop();
            } catch (RuntimeException ignored) {
                // stopping anyway
            }
            template = null;
        }
    }

    /**
     * Replays one record. Completes when the replayed exchange has completed (delivered, parked again or failed),
     * or at once when the record cannot be replayed.
     */
    public CompletableFuture<ReplayResult> replay(long id, ReplayOptions options) {
        ScheduledExecutorService s = scheduler;
        if (s == null) {
            return start(id, options);
        }
        // started from the replay thread, never from the caller's: a caller that is itself a Camel exchange (the
        // HTTP API) would otherwise queue the replay behind its own work on Camel's reactive executor and wait forever
        return CompletableFuture.supplyAsync(() -> start(id, options), s).thenCompose(f -> f);
    }

    private CompletableFuture<ReplayResult> start(long id, ReplayOptions options) {
        ReplayOptions requested = options == null ? ReplayOptions.defaults() : options;
        if (!store.claimForReplay(id)) {
            Optional<ParkedMessage> m = store.find(id);
            return CompletableFuture.completedFuture(m.isEmpty()
                    ? new ReplayResult(id, ReplayResult.Outcome.NOT_FOUND, null, "no parked message #" + id)
                    : new ReplayResult(id, ReplayResult.Outcome.NOT_REPLAYABLE, null, "its status is " + m.get().status()));
        }
        try {
            ParkedMessage m = store.find(id).orElseThrow(() -> new IllegalStateException("#" + id + " vanished"));
            ReplayOptions o = new ReplayOptions(
                    requested.maxAttempts() != null ? requested.maxAttempts() : m.replayMaxAttempts(),
                    requested.maxDuration() != null ? requested.maxDuration()
                            : m.replayMaxDurationMillis() == null ? null : Duration.ofMillis(m.replayMaxDurationMillis()),
                    requested.target() != null ? requested.target() : m.replayTarget(),
                    requested.requestedBy() != null ? requested.requestedBy() : m.replayRequestedBy());
            LOG.info("replaying #{} into {}{}{}", id, o.target() != null ? redactor.url(o.target()) : "route " + m.routeId(),
                    o.maxAttempts() == null ? "" : " max-attempts=" + o.maxAttempts(),
                    o.maxDuration() == null ? "" : " max-duration=" + o.maxDuration());
            Exchange exchange;
            CompletableFuture<Exchange> done;
            if (o.target() == null) {
                Route route = context.getRoute(m.routeId());
                if (route == null || route.getConsumer() == null
                        || context.getRouteController().getRouteStatus(m.routeId()) != ServiceStatus.Started) {
                    throw new IllegalStateException("route " + m.routeId() + " is not running here; replay into a named "
                            + "endpoint instead (--to / ?to=)");
                }
                Consumer consumer = route.getConsumer();
                exchange = consumer.createExchange(false);
                fill(exchange, m, o);
                Processor entry = m.reentryStep() == null ? route.getProcessor()
                        // a split item or multicast branch: only its steps, in a unit of work of its own, as Camel runs it
                        : PluginHelper.getInternalProcessorFactory(context)
                                .addUnitOfWorkProcessorAdvice(context, stepProcessor(route, m.reentryStep()), route);
                done = AsyncProcessorConverterHelper.convert(entry).processAsync(exchange);
            } else {
                Endpoint endpoint = context.getEndpoint(o.target());
                exchange = endpoint.createExchange();
                fill(exchange, m, o);
                done = template().asyncSend(endpoint, exchange);
            }
            Exchange ex = exchange;
            return done.handle((result, error) -> finish(m, ex, error));
        } catch (RuntimeException e) {
            String why = redactor.text(String.valueOf(e.getMessage()));
            release(id, why);
            return CompletableFuture.completedFuture(new ReplayResult(id, ReplayResult.Outcome.FAILED, null, why));
        }
    }

    /**
     * The steps of one item of a split ({@code split1}) or of one branch of a multicast ({@code multicast2#1}) in
     * {@code route}, as the EIP runs them for an item.
     */
    static Processor stepProcessor(Route route, String reentryStep) {
        int hash = reentryStep.indexOf('#');
        String step = hash < 0 ? reentryStep : reentryStep.substring(0, hash);
        int branch = hash < 0 ? 0 : Integer.parseInt(reentryStep.substring(hash + 1));
        for (Processor p : route.filter(step)) {
            if (p instanceof MulticastProcessor eip && p instanceof IdAware id && step.equals(id.getId())) {
                List<Processor> items = new ArrayList<>(eip.getProcessors());
                if (branch < items.size()) {
                    return items.get(branch);
                }
            }
        }
        throw new IllegalStateException("route " + route.getRouteId() + " has no step " + reentryStep
                + " to replay into any more; replay into a named endpoint instead (--to / ?to=)");
    }

    /** Every PARKED message of an upstream, one after the other at most {@code ratePerSecond} a second. */
    public CompletableFuture<List<ReplayResult>> replayUpstream(String upstream, ReplayOptions options, double ratePerSecond) {
        return replayAll(store.parkedIds(upstream, null, MAX_BULK), options, ratePerSecond);
    }

    /**
     * Replays the PARKED messages of {@code upstream} that were given up for one of {@code reasons}, started at most
     * {@code ratePerSecond} a second. This is what automatic replay on recovery calls; it can be called directly.
     */
    public CompletableFuture<List<ReplayResult>> replayParkedFor(String upstream, Set<GiveUpReason> reasons,
                                                                 double ratePerSecond) {
        List<Long> ids = store.parkedIds(upstream, reasons, MAX_BULK);
        if (!ids.isEmpty()) {
            LOG.info("replaying {} parked message(s) of {} (reasons {}) at {}/s", ids.size(), upstream, reasons,
                    ratePerSecond);
        }
        return replayAll(ids, ReplayOptions.defaults(), ratePerSecond);
    }

    /**
     * For the circuit breakers: call when the breaker of {@code upstream} closes again. Replays its parked messages
     * given up for the configured reasons ({@code selfheal.parked.auto-replay.reasons}) at the configured rate, unless
     * {@code selfheal.parked.auto-replay.enabled=false}. Returns at once; the future completes when all are done.
     */
    public CompletableFuture<List<ReplayResult>> onUpstreamRecovered(String upstream) {
        if (!config.autoReplayEnabled()) {
            return CompletableFuture.completedFuture(List.of());
        }
        try {
            return replayParkedFor(upstream, config.autoReplayReasons(), config.autoReplayRate());
        } catch (RuntimeException e) {
            LOG.error("automatic replay for {} failed: {}", upstream, redactor.text(String.valueOf(e.getMessage())));
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Once the context has started: starts the poller for command-line requests ({@link #startPolling}), and replays
     * the messages parked as {@code SHUTDOWN} (the process stopped while they waited for a retry) at the configured
     * rate, unless {@code selfheal.parked.auto-replay.enabled=false}. Returns at once; the future completes when all
     * the SHUTDOWN replays are done.
     */
    public CompletableFuture<List<ReplayResult>> onStarted() {
        startPolling();
        if (!config.autoReplayEnabled()) {
            return CompletableFuture.completedFuture(List.of());
        }
        try {
            List<Long> ids = store.parkedIds(null, Set.of(GiveUpReason.SHUTDOWN), MAX_BULK);
            if (!ids.isEmpty()) {
                LOG.info("replaying {} message(s) parked at the last shutdown at {}/s", ids.size(),
                        config.autoReplayRate());
            }
            return replayAll(ids, ReplayOptions.defaults(), config.autoReplayRate());
        } catch (RuntimeException e) {
            LOG.error("replay of the messages parked at the last shutdown failed: {}",
                    redactor.text(String.valueOf(e.getMessage())));
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<List<ReplayResult>> replayAll(List<Long> ids, ReplayOptions options, double ratePerSecond) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive, was " + ratePerSecond);
        }
        ScheduledExecutorService s = scheduler;
        if (s == null) {
            throw new IllegalStateException("the replay service is not running (the CamelContext is not started)");
        }
        long spacingNanos = (long) (1_000_000_000L / ratePerSecond);
        List<CompletableFuture<ReplayResult>> all = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            long id = ids.get(i);
            CompletableFuture<ReplayResult> f = new CompletableFuture<>();
            s.schedule(() -> {
                try {
                    replay(id, options).whenComplete((r, e) -> {
                        if (e != null) {
                            f.completeExceptionally(e);
                        } else {
                            f.complete(r);
                        }
                    });
                } catch (RuntimeException e) {
                    f.complete(new ReplayResult(id, ReplayResult.Outcome.FAILED, null,
                            redactor.text(String.valueOf(e.getMessage()))));
                }
            }, i * spacingNanos, TimeUnit.NANOSECONDS);
            all.add(f);
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
                .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
    }

    /**
     * The poller: records the poll (the command line reads it to tell whether a job will carry out a replay), replays
     * the records the command line marked REPLAY_REQUESTED, and frees stale replays.
     */
    void pollRequested() {
        recordPoll();
        try {
            int stale = store.releaseStaleReplays(config.replayTimeout());
            if (stale > 0) {
                LOG.warn("{} replay(s) had no outcome within {}: PARKED again", stale, config.replayTimeout());
            }
            for (long id : store.replayRequestedIds(100)) {
                replay(id, null).thenAccept(r -> LOG.info("requested replay: {}", r));
            }
        } catch (RuntimeException e) {
            LOG.error("polling for requested replays failed: {}", redactor.text(String.valueOf(e.getMessage())));
        }
    }

    private void recordPoll() {
        try {
            if (instance == null) {
                instance = instanceName(context);
            }
            synchronized (pollRecord) {
                if (!polling) {
                    return;
                }
                store.recordReplayPoll(instance, config.replayPollInterval());
            }
            pollRecordFailed = false;
        } catch (RuntimeException e) {
            // the replays go on without it; said once, not at every poll
            if (!pollRecordFailed) {
                pollRecordFailed = true;
                LOG.warn("could not record the replay poll in the parked store (parked replay then says no job polls "
                        + "it): {}", redactor.text(String.valueOf(e.getMessage())));
            }
        }
    }

    /** {@code host:pid/context}: which job polled, for whoever reads the pollers table. */
    static String instanceName(CamelContext context) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown-host";
        }
        return host + ":" + ProcessHandle.current().pid() + "/" + context.getName();
    }

    private void fill(Exchange exchange, ParkedMessage m, ReplayOptions o) {
        // a text body goes back as text: a route's expressions (${body.split(',')}) see what they saw the first time
        exchange.getIn().setBody(m.body() != null && String.class.getName().equals(m.bodyType())
                ? context.getTypeConverter().convertTo(String.class, exchange, m.body()) : m.body());
        ParkedHeaders.forReplay(m.headersJson()).forEach((k, v) -> exchange.getIn().setHeader(k, v));
        if (m.idempotencyKey() != null) {
            exchange.getIn().setHeader(SelfhealProperties.IDEMPOTENCY_KEY_HEADER, m.idempotencyKey());
        }
        exchange.setProperty(REPLAY_OF, m.id());
        if (m.runId() != null) {
            // a replay that gives up again is parked with the run it belongs to
            exchange.setProperty(SelfhealProperties.RUN_ID, m.runId());
        }
        if (o.maxAttempts() != null) {
            exchange.setProperty(FailureRecorder.MAX_ATTEMPTS_OVERRIDE, o.maxAttempts());
        }
        if (o.maxDuration() != null) {
            exchange.setProperty(FailureRecorder.MAX_DURATION_OVERRIDE, o.maxDuration().toMillis());
        }
    }

    private ReplayResult finish(ParkedMessage m, Exchange exchange, Throwable error) {
        long id = m.id();
        try {
            Long newId = exchange.getProperty(Escalator.PARKED_ID, Long.class);
            Throwable failure = error != null ? error : exchange.getException();
            if (failure == null && newId != null) {
                LOG.warn("replay of #{} gave up again: parked as #{}", id, newId);
                return new ReplayResult(id, ReplayResult.Outcome.REPARKED, newId, "gave up again");
            }
            if (failure != null) {
                String why = redactor.text(failure.getClass().getSimpleName() + ": " + failure.getMessage());
                release(id, why);
                LOG.warn("replay of #{} failed, PARKED again: {}", id, why);
                return new ReplayResult(id, ReplayResult.Outcome.FAILED, null, why);
            }
            if (store.markReplayed(id)) {
                LOG.info("replay of #{} delivered: REPLAYED", id);
                for (java.util.function.Consumer<ParkedMessage> l : onDelivered) {
                    try {
                        l.accept(m);
                    } catch (RuntimeException e) {
                        LOG.warn("a listener of delivered replays failed for #{}: {}", id, e.toString());
                    }
                }
                return new ReplayResult(id, ReplayResult.Outcome.REPLAYED, null, null);
            }
            String status = store.find(id).map(r -> r.status().name()).orElse("missing");
            return new ReplayResult(id, ReplayResult.Outcome.NOT_REPLAYABLE, null, "completed, but the record is " + status);
        } catch (RuntimeException e) {
            return new ReplayResult(id, ReplayResult.Outcome.FAILED, null, redactor.text(String.valueOf(e.getMessage())));
        }
    }

    private void release(long id, String why) {
        try {
            store.releaseAfterFailedReplay(id, why);
        } catch (ParkingException e) {
            LOG.error("could not return #{} to PARKED after a failed replay ({}); it is freed after {}", id,
                    e.getMessage(), config.replayTimeout());
        }
    }

    private synchronized ProducerTemplate template() {
        if (template == null) {
            template = context.createProducerTemplate();
        }
        return template;
    }
}
