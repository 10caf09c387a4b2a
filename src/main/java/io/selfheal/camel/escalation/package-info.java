/**
 * Escalation in Camel: the escalation endpoint ({@link io.selfheal.camel.escalation.EscalationRoutes},
 * {@link io.selfheal.camel.escalation.Escalator}: log, park, alert), where each unit of work began
 * ({@link io.selfheal.camel.escalation.WorkStart}), messages whose parking failed
 * ({@link io.selfheal.camel.escalation.AwaitingParking}), breaker events, and replay
 * ({@link io.selfheal.camel.escalation.ParkedReplayService}) with its views and HTTP API.
 * <p>
 * Imports Camel, the {@code camel} root, the config kit, the domain packages ({@code escalation}, {@code retry},
 * {@code classify}, {@code breaker}, {@code observe}) and, where a call's path crosses rooms, {@code camel.retry}
 * (which routes heal, the replay's budget properties) and {@code camel.idempotency} (the body digest).
 */
package io.selfheal.camel.escalation;
