package io.selfheal.camel.escalation;

import io.selfheal.camel.Selfheal;

import io.selfheal.config.ConfigValues;
import io.selfheal.escalation.ApiToken;
import io.selfheal.json.Json;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStatus;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The parked-message HTTP API, served by camel-main's HTTP server ({@code camel.server.enabled=true}) when
 * {@code selfheal.parked.api-token} is set. Every request needs {@code Authorization: Bearer <token>} (or
 * {@code X-Selfheal-Token: <token>}), compared in constant time; without it or with a wrong one the answer is 401.
 * <pre>
 * GET  /selfheal/parked?status=PARKED&amp;upstream=X&amp;limit=100   list
 * GET  /selfheal/parked/{id}                                  show (redacted)
 * POST /selfheal/parked/{id}/replay?maxAttempts=&amp;maxDuration=&amp;to=&amp;wait=30s
 * POST /selfheal/parked/replay?upstream=X[&amp;maxAttempts=..]    replay every PARKED message of an upstream
 * POST /selfheal/parked/{id}/discard?reason=...&amp;by=...
 * </pre>
 * Plain platform-http routes, not the REST DSL: a CamelContext has one REST configuration, the user's, and REST DSL
 * services take its context path, binding mode, CORS and endpoint options (a {@code camel.rest.context-path} would
 * move this API, a JSON binding would re-encode its answers); setting ours would change the user's services.
 */
public class ParkedApiRoutes extends RouteBuilder {
    public static final String BASE = "/selfheal/parked";
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    @Override
    public void configure() {
        from("platform-http:" + BASE + "?httpMethodRestrict=GET").routeId("selfheal-parked-api-list")
                .process(guarded(this::list));
        from("platform-http:" + BASE + "/{id}?httpMethodRestrict=GET").routeId("selfheal-parked-api-show")
                .process(guarded(this::show));
        from("platform-http:" + BASE + "/{id}/replay?httpMethodRestrict=POST").routeId("selfheal-parked-api-replay")
                .process(guarded(this::replay));
        from("platform-http:" + BASE + "/replay?httpMethodRestrict=POST").routeId("selfheal-parked-api-replay-upstream")
                .process(guarded(this::replayUpstream));
        from("platform-http:" + BASE + "/{id}/discard?httpMethodRestrict=POST").routeId("selfheal-parked-api-discard")
                .process(guarded(this::discard));
    }

    private interface Handler {
        void handle(Exchange exchange, EscalationServices services) throws Exception;
    }

    private static org.apache.camel.Processor guarded(Handler handler) {
        return exchange -> {
            EscalationServices services = EscalationServices.of(exchange.getContext());
            String expected = services.store().config().apiToken();
            String given = token(exchange);
            // drop credentials before anything else sees the message
            exchange.getIn().removeHeader("Authorization");
            exchange.getIn().removeHeader("X-Selfheal-Token");
            if (!ApiToken.matches(expected, given)) {
                exchange.getMessage().setHeader("WWW-Authenticate", "Bearer realm=\"selfheal\"");
                respond(exchange, 401, Map.of("error", "a valid token is required (Authorization: Bearer <token>)"));
                return;
            }
            try {
                handler.handle(exchange, services);
            } catch (BadRequest e) {
                respond(exchange, 400, Map.of("error", e.getMessage()));
            } catch (RuntimeException e) {
                respond(exchange, 500, Map.of("error", services.store().config().redactor()
                        .text(e.getClass().getSimpleName() + ": " + e.getMessage())));
            }
        };
    }

    private static String token(Exchange exchange) {
        String auth = exchange.getIn().getHeader("Authorization", String.class);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        return exchange.getIn().getHeader("X-Selfheal-Token", String.class);
    }

    private void list(Exchange exchange, EscalationServices services) {
        ParkedStatus status = Optional.ofNullable(param(exchange, "status"))
                .map(s -> enumValue(s.toUpperCase(Locale.ROOT))).orElse(null);
        int limit = Optional.ofNullable(param(exchange, "limit")).map(v -> intParam("limit", v)).orElse(100);
        List<Map<String, Object>> rows = services.store().list(status, param(exchange, "upstream"), limit).stream()
                .map(ParkedViews::summaryMap).toList();
        respond(exchange, 200, rows);
    }

    private void show(Exchange exchange, EscalationServices services) {
        long id = id(exchange);
        Optional<ParkedMessage> m = services.store().find(id);
        if (m.isEmpty()) {
            respond(exchange, 404, Map.of("error", "no parked message #" + id));
            return;
        }
        respond(exchange, 200, ParkedViews.detailMap(m.get(), services.store().config().redactor()));
    }

    private void replay(Exchange exchange, EscalationServices services) throws Exception {
        long id = id(exchange);
        CompletableFuture<ReplayResult> f = services.replay().replay(id, options(exchange));
        try {
            ReplayResult r = f.get(waitParam(exchange).toMillis(), TimeUnit.MILLISECONDS);
            int code = switch (r.outcome()) {
                case REPLAYED, REPARKED -> 200;
                case NOT_FOUND -> 404;
                case NOT_REPLAYABLE -> 409;
                case FAILED -> 502;
            };
            respond(exchange, code, r.toMap());
        } catch (TimeoutException e) {
            respond(exchange, 202, Map.of("id", id, "outcome", "IN_PROGRESS",
                    "detail", "still replaying; GET " + BASE + "/" + id + " shows the outcome"));
        }
    }

    private void replayUpstream(Exchange exchange, EscalationServices services) throws Exception {
        String upstream = param(exchange, "upstream");
        if (upstream == null || upstream.isBlank()) {
            throw new BadRequest("upstream is required");
        }
        CompletableFuture<List<ReplayResult>> f = services.replay().replayUpstream(upstream, options(exchange),
                services.store().config().autoReplayRate());
        try {
            List<ReplayResult> results = f.get(waitParam(exchange).toMillis(), TimeUnit.MILLISECONDS);
            respond(exchange, 200, results.stream().map(ReplayResult::toMap).toList());
        } catch (TimeoutException e) {
            respond(exchange, 202, Map.of("upstream", upstream, "outcome", "IN_PROGRESS"));
        }
    }

    private void discard(Exchange exchange, EscalationServices services) {
        long id = id(exchange);
        String reason = param(exchange, "reason");
        if (reason == null || reason.isBlank()) {
            throw new BadRequest("reason is required: say why the loss is accepted");
        }
        String by = Optional.ofNullable(param(exchange, "by")).orElse("api");
        if (services.store().discard(id, by, reason)) {
            respond(exchange, 200, Map.of("id", id, "status", ParkedStatus.DISCARDED.name()));
            return;
        }
        Optional<ParkedMessage> m = services.store().find(id);
        respond(exchange, m.isEmpty() ? 404 : 409, Map.of("error", m.isEmpty() ? "no parked message #" + id
                : "#" + id + " is " + m.get().status() + "; only PARKED or REPLAY_REQUESTED messages can be discarded"));
    }

    private static ReplayOptions options(Exchange exchange) {
        Integer maxAttempts = Optional.ofNullable(param(exchange, "maxAttempts")).map(v -> intParam("maxAttempts", v)).orElse(null);
        Duration maxDuration = Optional.ofNullable(param(exchange, "maxDuration")).map(v -> durationParam("maxDuration", v)).orElse(null);
        try {
            return new ReplayOptions(maxAttempts, maxDuration, param(exchange, "to"),
                    Optional.ofNullable(param(exchange, "by")).orElse("api"));
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    private static Duration waitParam(Exchange exchange) {
        return Optional.ofNullable(param(exchange, "wait")).map(v -> durationParam("wait", v)).orElse(DEFAULT_WAIT);
    }

    private static String param(Exchange exchange, String name) {
        String v = exchange.getIn().getHeader(name, String.class);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static long id(Exchange exchange) {
        String v = exchange.getIn().getHeader("id", String.class);
        try {
            return Long.parseLong(v);
        } catch (RuntimeException e) {
            throw new BadRequest("id must be a number");
        }
    }

    private static int intParam(String name, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BadRequest(name + " must be a whole number");
        }
    }

    private static Duration durationParam(String name, String v) {
        try {
            return ConfigValues.duration(name, v);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(name + " must be a duration such as 30s or 10m");
        }
    }

    private static ParkedStatus enumValue(String s) {
        try {
            return ParkedStatus.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("unknown status " + s);
        }
    }

    private static void respond(Exchange exchange, int status, Object body) {
        // only what the response needs: request headers (query parameters among them) are not echoed back
        exchange.getMessage().removeHeaders("*", "WWW-Authenticate");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(Json.write(body instanceof Map<?, ?> m ? new LinkedHashMap<>(m) : body));
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }
}
