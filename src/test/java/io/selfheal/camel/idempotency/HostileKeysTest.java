package io.selfheal.camel.idempotency;

import io.selfheal.camel.SelfhealProperties;
import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.testing.EscalationTests;
import io.selfheal.testing.SelfhealContextExtension;
import io.selfheal.testing.TestContexts;

import io.selfheal.camel.escalation.EscalationServices;
import io.selfheal.camel.escalation.Escalator;

import io.selfheal.classify.FailureClass;
import io.selfheal.escalation.ParkedMessage;
import io.selfheal.escalation.ParkedStore;
import io.selfheal.idempotency.IdempotencyStoreException;
import io.selfheal.idempotency.IdempotentInsert;
import io.selfheal.idempotency.TestDatabases;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SQL is parameterized everywhere a message reaches: hostile keys (SQL injection, quotes, backslashes, LIKE wildcards,
 * placeholders, control characters, Unicode beyond the BMP) go through the idempotent repository, the
 * {@code idempotent-jdbc-sink} Kamelet and the parked store on PostgreSQL, as the key, a column value, the upstream
 * name, a header and the body. Every table survives (and a canary table the injection names), each key is stored
 * verbatim and found again by exact match. A NUL character, which PostgreSQL cannot store in text, is refused with a
 * clear PERMANENT error. Names (tables, columns) are never taken from a message unchecked.
 */
class HostileKeysTest {
    private static final TestDatabases PG = TestDatabases.POSTGRESQL;
    private final String suffix = java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final String canary = "sec_canary_" + suffix;
    private final String keyTable = "sec_keys_" + suffix;
    private final String sinkTable = "sec_sink_" + suffix;
    private final String parkedTable = "sec_parked_" + suffix;
    private final List<String> hostile = List.of(
            "'; DROP TABLE " + canary + "; --",
            "x' OR '1'='1",
            "\" OR \"\"=\"; DELETE FROM " + sinkTable + " WHERE '1'='1",
            "O'Brien's \"quoted\" \\back\\slash\\",
            "100%_off_ \\% _",
            "$1 $$ ? :name ${body} {{secret}}",
            "line1\nline2\ttab\rcr",
            "ключ-キー-🔑-ÿ-\u202Eevil",
            "--",
            "x".repeat(200) + "' ; SELECT pg_sleep(5); --");
    @RegisterExtension
    final SelfhealContextExtension contexts = new SelfhealContextExtension();
    private CamelContext ctx;

    @AfterEach
    void stop() throws Exception {
        for (String t : List.of(canary, keyTable, sinkTable, parkedTable)) {
            PG.dropQuietly(t);
        }
    }

    @Test
    void hostileKeysAreStoredVerbatimAndNoTableIsHarmed() throws Exception {
        PG.exec("CREATE TABLE " + canary + " (id INT PRIMARY KEY)");
        PG.exec("INSERT INTO " + canary + " VALUES (1)");
        PG.exec("CREATE TABLE " + sinkTable + " (record_key VARCHAR(400) PRIMARY KEY, note TEXT)");
        Map<String, String> props = TestContexts.scaled(
                "selfheal.defaults.max-attempts", "2",
                "selfheal.idempotency.url", PG.url, "selfheal.idempotency.username", PG.user,
                "selfheal.idempotency.table", keyTable,
                "selfheal.parked.url", PG.url, "selfheal.parked.username", PG.user, "selfheal.parked.table", parkedTable);
        ctx = contexts.create(props);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deliver").routeId("hostile-deliver").routeConfigurationId("self-healing")
                        .idempotentConsumer(header("key")).idempotentRepository("selfhealIdempotentRepository-hostile")
                        .setHeader("record_key", header("key"))
                        .setHeader("note", body())
                        .to("kamelet:idempotent-jdbc-sink/hostile-sink?table=" + sinkTable
                                + "&keyColumns=record_key&columns=record_key,note&rowFrom=headers");
                from("direct:park").routeId("hostile-park").routeConfigurationId("self-healing")
                        .setProperty(SelfhealProperties.IDEMPOTENCY_KEY, header("key"))
                        .setProperty(SelfhealProperties.UPSTREAM, header("key"))
                        .process(e -> {
                            throw new ConnectException("refused: " + e.getIn().getHeader("key"));
                        });
            }
        });
        ctx.start();

        for (String key : hostile) {
            Exchange delivered = send("direct:deliver", key);
            assertThat(delivered.getException()).as(key).isNull();
            assertThat(delivered.getProperty(SelfhealProperties.GIVE_UP_REASON)).as(key).isNull();
            Exchange again = send("direct:deliver", key);
            assertThat(again.getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE, Boolean.class)).as(key).isTrue();
            Exchange parked = send("direct:park", key);
            assertThat(parked.getProperty(Escalator.PARKED_ID, Long.class)).as(key).isNotNull();
        }

        // every table is there, the canary untouched
        assertThat(PG.count("SELECT COUNT(*) FROM " + canary)).isEqualTo(1);
        // stored verbatim, and found by exact match
        assertThat(column("SELECT message_key FROM " + keyTable + " WHERE scope_name = 'hostile'"))
                .containsExactlyInAnyOrderElementsOf(hostile);
        assertThat(column("SELECT record_key FROM " + sinkTable)).containsExactlyInAnyOrderElementsOf(hostile);
        assertThat(column("SELECT note FROM " + sinkTable)).containsExactlyInAnyOrderElementsOf(hostile);
        assertThat(SelfhealIdempotency.of(ctx).sink("hostile-sink").inserted()).isEqualTo(hostile.size());
        ParkedStore store = EscalationServices.of(ctx).store();
        List<ParkedMessage> all = store.list(null, null, 100);
        assertThat(all).hasSize(hostile.size());
        Set<String> parkedKeys = new HashSet<>();
        for (ParkedMessage m : all) {
            ParkedMessage full = store.find(m.id()).orElseThrow();
            parkedKeys.add(full.idempotencyKey());
            assertThat(new String(full.body(), StandardCharsets.UTF_8)).isEqualTo(full.idempotencyKey());
            assertThat(full.upstream()).isEqualTo(full.idempotencyKey());
            assertThat(io.selfheal.escalation.ParkedHeaders.decode(full.headersJson())).containsEntry("key", full.idempotencyKey());
        }
        assertThat(parkedKeys).containsExactlyInAnyOrderElementsOf(hostile);
        for (String key : hostile) {
            assertThat(store.list(null, key, 10)).as("filter by upstream %s", key).hasSize(1);
            assertThat(SelfhealIdempotency.of(ctx).repository("hostile").contains(key)).isTrue();
            assertThat(SelfhealIdempotency.of(ctx).repository("hostile").contains(key + " ")).isFalse();
        }
        assertThat(store.discard(all.get(0).id(), "'; DROP TABLE " + parkedTable + "; --",
                "Robert'); DROP TABLE " + canary + ";--")).isTrue();
        assertThat(store.find(all.get(0).id()).orElseThrow().discardedBy()).isEqualTo("'; DROP TABLE " + parkedTable + "; --");
        assertThat(PG.count("SELECT COUNT(*) FROM " + canary)).isEqualTo(1);
        assertThat(PG.count("SELECT COUNT(*) FROM " + parkedTable)).isEqualTo(hostile.size());
    }

    @Test
    void aNulCharacterIsRefusedWithAClearPermanentErrorAndNamesAreNeverTakenFromAMessage() throws Exception {
        Map<String, String> props = TestContexts.scaled("selfheal.idempotency.url", PG.url,
                "selfheal.idempotency.username", PG.user, "selfheal.idempotency.table", keyTable);
        props.putAll(EscalationTests.h2Store());
        ctx = contexts.start(props);
        var repository = SelfhealIdempotency.of(ctx).repository("hostile");
        assertThatThrownBy(() -> repository.add("nul\u0000key"))
                .isInstanceOf(IdempotencyStoreException.class).hasMessageContaining("0x00");
        FailureClass cls = SelfhealRuntime.of(ctx).classifier().classify(
                catchThrowable(() -> repository.add("nul\u0000key"))).failureClass();
        assertThat(cls).isEqualTo(FailureClass.PERMANENT);
        assertThat(repository.add("after-the-nul")).isTrue();

        IdempotentInsert sink = new IdempotentInsert(PG.dataSource(), keyTable, List.of("scope_name", "message_key"), List.of());
        assertThatThrownBy(() -> sink.insert(Map.of("scope_name", "s", "message_key", "k",
                "created_at; DROP TABLE " + canary, "x"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid column name");
        assertThatThrownBy(() -> new IdempotentInsert(PG.dataSource(), keyTable + "; DROP TABLE x", List.of("k"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid table name");
        assertThat(PG.count("SELECT COUNT(*) FROM " + keyTable)).isEqualTo(1);
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private Exchange send(String uri, String key) {
        return ctx.createProducerTemplate().send(uri, e -> {
            e.getIn().setHeader("key", key);
            e.getIn().setBody(key);
        });
    }

    private static List<String> column(String sql) throws Exception {
        try (Connection c = PG.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            List<String> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}
