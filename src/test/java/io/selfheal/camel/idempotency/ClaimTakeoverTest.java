package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.it.CrashRestartIT;
import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import io.selfheal.camel.escalation.Escalator;

import io.selfheal.idempotency.TestDatabases;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The idempotent consumer EIP after a crash, in one process: the key of a message is still claimed by a process that
 * was killed while processing it (the row it left behind), and the source delivers the message again. The copy is not
 * skipped (that lost 151 of 5,000 records in CrashRestartIT): it fails TRANSIENT while the claim could still be alive,
 * is retried, takes the claim over once it expired, and is processed once; a later copy is a duplicate. A claim that
 * stays alive (its owner is still processing) makes the copy give up and park, never skip.
 */
class ClaimTakeoverTest {
    private static final TestDatabases DB = TestDatabases.POSTGRESQL;
    private final String table = TestDatabases.uniqueTable("takeover");
    private final AtomicInteger deliveries = new AtomicInteger();
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    @AfterEach
    void stop() throws Exception {
        DB.dropQuietly(table);
    }

    private void start(String maxAttempts) throws Exception {
        java.util.Map<String, String> props = TestContexts.scaled(
                "selfheal.defaults.max-attempts", maxAttempts,
                "selfheal.idempotency.url", DB.url,
                "selfheal.idempotency.username", DB.user,
                "selfheal.idempotency.table", table,
                "selfheal.idempotency.claim-timeout", "1s");
        props.putAll(EscalationTests.h2Store());
        ctx = contexts.start(props, new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:orders").routeId("orders").routeConfigurationId("self-healing")
                        .idempotentConsumer(header("orderId")).idempotentRepository("selfhealIdempotentRepository")
                        .process(e -> deliveries.incrementAndGet());
            }
        });
        SelfhealIdempotency.of(ctx).store().ensureTable();
    }

    /** The row a process killed while processing the message leaves: a claim nobody renews any more. */
    private void claimLeftBy(String owner, String orderId, long expiresInMillis) {
        DB.exec("INSERT INTO " + table + " (scope_name, message_key, created_at, claimed_by, claim_expires_ms) VALUES "
                + "('default', '" + orderId + "', CURRENT_TIMESTAMP, '" + owner + "', "
                + (System.currentTimeMillis() + expiresInMillis) + ")");
    }

    private Exchange send(String orderId) {
        return ctx.createProducerTemplate().send("direct:orders", e -> {
            e.getIn().setHeader("orderId", orderId);
            e.getIn().setBody("order " + orderId);
        });
    }

    @Test
    void aCopyOfAMessageWhoseProcessDiedIsRetriedThenTakesTheClaimOverAndIsProcessedOnce() throws Exception {
        start("30");
        claimLeftBy("4242@killed-host#dead", "order-7", 400);

        Exchange copy = send("order-7");

        assertThat(copy.getException()).isNull();
        assertThat(copy.getProperty(SelfhealProperties.GIVE_UP_REASON)).isNull();
        assertThat(copy.getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE)).isNull();
        assertThat(copy.getProperty(SelfhealProperties.ATTEMPTS, Integer.class)).as("retried while the claim lived")
                .isGreaterThan(1);
        assertThat(deliveries.get()).isEqualTo(1);
        // confirmed: the claim columns are cleared, and the next copy is skipped
        assertThat(DB.count("SELECT COUNT(*) FROM " + table + " WHERE message_key = 'order-7' AND claimed_by IS NULL"))
                .isEqualTo(1);
        assertThat(send("order-7").getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE, Boolean.class)).isTrue();
        assertThat(deliveries.get()).isEqualTo(1);
    }

    @Test
    void aCopyOfAMessageStillBeingProcessedElsewhereGivesUpAndParksNeverSkips() throws Exception {
        start("3");
        claimLeftBy("4343@busy-host#live", "order-8", 600_000);

        Exchange copy = send("order-8");

        assertThat(copy.getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE)).isNull();
        assertThat(copy.getProperty(SelfhealProperties.FAILURE_CLASS)).isEqualTo("TRANSIENT");
        assertThat(copy.getProperty(SelfhealProperties.GIVE_UP_REASON)).isEqualTo("ATTEMPTS");
        assertThat(copy.getProperty(Escalator.PARKED_ID, Long.class)).as("parked, so a replay can deliver it").isNotNull();
        assertThat(deliveries.get()).isZero();
        // the give-up did not release a claim that was not its own
        assertThat(DB.count("SELECT COUNT(*) FROM " + table + " WHERE claimed_by = '4343@busy-host#live'")).isEqualTo(1);
    }
}
