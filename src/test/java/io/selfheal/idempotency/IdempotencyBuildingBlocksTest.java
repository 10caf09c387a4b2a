package io.selfheal.idempotency;

import io.selfheal.config.ConfigException;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.jdbc.SqlDialect;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration, dialects and key derivation: the plain parts of idempotency. */
class IdempotencyBuildingBlocksTest {

    @Test
    void defaultsAreAnH2FileUnderData() {
        IdempotencySettings c = SelfhealConfig.defaults().idempotency();
        assertThat(c.url()).isEqualTo("jdbc:h2:file:./data/selfheal-idempotency;WRITE_DELAY=0");
        assertThat(c.table()).isEqualTo("selfheal_idempotency");
        assertThat(c.poolSize()).isEqualTo(5);
        assertThat(c.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aSharedDatabaseIsConfiguredByUrl() {
        IdempotencySettings c = SelfhealConfig.load(Map.of(
                "selfheal.idempotency.url", "jdbc:postgresql://db:5432/app",
                "selfheal.idempotency.username", "selfheal",
                "selfheal.idempotency.password", "s3cret",
                "selfheal.idempotency.table", "ops.processed_keys",
                "selfheal.idempotency.pool-size", "10",
                "selfheal.idempotency.connection-timeout", "2s")).idempotency();
        assertThat(c.url()).isEqualTo("jdbc:postgresql://db:5432/app");
        assertThat(c.username()).isEqualTo("selfheal");
        assertThat(c.table()).isEqualTo("ops.processed_keys");
        assertThat(c.poolSize()).isEqualTo(10);
        assertThat(c.connectionTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.toString()).doesNotContain("s3cret");
    }

    @Test
    void invalidValuesNameTheirKey() {
        assertRejected("selfheal.idempotency.url", "postgres://db/app", "Invalid JDBC URL");
        assertRejected("selfheal.idempotency.url", "jdbc:oracle:thin:@db:1521:x", "Unsupported database");
        assertRejected("selfheal.idempotency.table", "keys; DROP TABLE x", "Invalid table name");
        assertRejected("selfheal.idempotency.pool-size", "0", "between 1 and 100");
        assertRejected("selfheal.idempotency.pool-size", "many", "Invalid integer");
        assertRejected("selfheal.idempotency.connection-timeout", "100ms", "at least 250ms");
        assertRejected("selfheal.idempotency.connection-timeout", "5", "expected a number with a unit");
    }

    @Test
    void aTypoIsRejectedWithASuggestion() {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of("selfheal.idempotency.pool-sise", "3")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("selfheal.idempotency.pool-sise")
                .hasMessageContaining("did you mean 'selfheal.idempotency.pool-size'");
    }

    private static void assertRejected(String key, String value, String message) {
        assertThatThrownBy(() -> SelfhealConfig.load(Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key));
    }

    @Test
    void dialectsAreKnownByUrl() {
        assertThat(SqlDialect.fromUrl("jdbc:h2:file:./data/x")).contains(SqlDialect.H2);
        assertThat(SqlDialect.fromUrl("jdbc:postgresql://h/db")).contains(SqlDialect.POSTGRESQL);
        assertThat(SqlDialect.fromUrl("jdbc:mariadb://h/db")).contains(SqlDialect.MARIADB);
        assertThat(SqlDialect.fromUrl("jdbc:mysql://h/db")).contains(SqlDialect.MARIADB);
        assertThat(SqlDialect.fromUrl("jdbc:sqlserver://h")).isEmpty();
    }

    @Test
    void eachDialectInsertsOnlyWhenTheKeyIsAbsent() {
        List<String> cols = List.of("id", "name");
        assertThat(SqlDialect.POSTGRESQL.insertIfAbsent("t", cols, List.of("id")))
                .isEqualTo("INSERT INTO t (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING");
        assertThat(SqlDialect.H2.insertIfAbsent("t", cols, List.of("id")))
                .isEqualTo("MERGE INTO t t USING (VALUES (?, ?)) AS s(id, name) ON t.id = s.id "
                        + "WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)");
        assertThat(SqlDialect.MARIADB.insertIfAbsent("t", cols, List.of("id")))
                .isEqualTo("INSERT INTO t (id, name) VALUES (?, ?)");
    }

    @Test
    void theKeyStoreClaimsWithOneInsertOnEachDatabase() {
        List<String> cols = List.of("id", "name");
        assertThat(SqlDialect.POSTGRESQL.insertKey("t", cols, List.of("id")))
                .isEqualTo("INSERT INTO t (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING");
        assertThat(SqlDialect.H2.insertKey("t", cols, List.of("id"))).isEqualTo("INSERT INTO t (id, name) VALUES (?, ?)");
        assertThat(SqlDialect.MARIADB.insertKey("t", cols, List.of("id"))).isEqualTo("INSERT INTO t (id, name) VALUES (?, ?)");
    }

    @Test
    void duplicateKeysAreRecognisedPerDatabase() {
        assertThat(SqlDialect.POSTGRESQL.isDuplicateKey(new SQLException("dup", "23505"))).isTrue();
        assertThat(SqlDialect.H2.isDuplicateKey(new SQLException("dup", "23505", 23505))).isTrue();
        assertThat(SqlDialect.MARIADB.isDuplicateKey(new SQLIntegrityConstraintViolationException("Duplicate entry", "23000", 1062)))
                .isTrue();
        // other integrity errors share SQLSTATE 23000 on MariaDB: not a duplicate
        assertThat(SqlDialect.MARIADB.isDuplicateKey(new SQLException("cannot be null", "23000", 1048))).isFalse();
        assertThat(SqlDialect.POSTGRESQL.isDuplicateKey(new SQLException("not null", "23502"))).isFalse();
        SQLException batch = new SQLException("batch failed", "HY000");
        batch.setNextException(new SQLException("dup", "23505"));
        assertThat(SqlDialect.POSTGRESQL.isDuplicateKey(batch)).isTrue();
    }

    @Test
    void contentKeysAreStableAndDistinct() {
        String a = IdempotencyKeys.fromContent("orders", "{\"id\":1}".getBytes());
        assertThat(IdempotencyKeys.fromContent("orders", "{\"id\":1}".getBytes())).isEqualTo(a);
        assertThat(IdempotencyKeys.fromContent("orders", "{\"id\":2}".getBytes())).isNotEqualTo(a);
        assertThat(IdempotencyKeys.fromContent("invoices", "{\"id\":1}".getBytes())).isNotEqualTo(a);
        assertThat(IdempotencyKeys.forPart(a, "x".getBytes())).isNotEqualTo(IdempotencyKeys.forPart(a, "y".getBytes()));
        assertThat(IdempotencyKeys.isMutating("post")).isTrue();
        assertThat(IdempotencyKeys.isMutating("DELETE")).isTrue();
        assertThat(IdempotencyKeys.isMutating("GET")).isFalse();
        assertThat(IdempotencyKeys.isMutating(null)).isFalse();
    }

    @Test
    void keysStayWhatEarlierVersionsStoredWhateverThreadDerivesThem() throws Exception {
        // derived with UUID.nameUUIDFromBytes and a fresh MessageDigest, before the digests were kept per thread:
        // a key already in a key store must still match the same message
        assertThat(IdempotencyKeys.fromContent("orders", "{\"id\":1}".getBytes()))
                .isEqualTo("b1baa73f-5d73-3f08-b495-ce32904afa9e");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> mismatches = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                mismatches.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    List<String> wrong = new ArrayList<>();
                    for (int i = 0; i < 2_000; i++) {
                        byte[] bytes = new byte[random.nextInt(64)];
                        random.nextBytes(bytes);
                        String name = new String(bytes, StandardCharsets.ISO_8859_1) + "é" + i;
                        String expected = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
                        if (!IdempotencyKeys.nameUuid(name).equals(expected)) {
                            wrong.add(name);
                        }
                        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
                        if (!IdempotencyKeys.sha256Hex(bytes).equals(hex)) {
                            wrong.add("sha256 of " + name);
                        }
                    }
                    return wrong;
                }));
            }
            for (Future<List<String>> f : mismatches) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void longKeysAreStoredByTheirHashNeverCut() {
        String prefix = "k".repeat(300);
        String one = JdbcKeyStore.storedKey(prefix + "1");
        String two = JdbcKeyStore.storedKey(prefix + "2");
        assertThat(one).startsWith("sha256:").hasSizeLessThanOrEqualTo(JdbcKeyStore.MAX_KEY_CHARS).isNotEqualTo(two);
        assertThat(JdbcKeyStore.storedKey("short")).isEqualTo("short");
    }

    @Test
    void sqlNamesAdmitOnlyPlainIdentifiers() {
        assertThat(SqlNames.isValid("orders")).isTrue();
        assertThat(SqlNames.isValid("ops.orders")).isTrue();
        assertThat(SqlNames.isValid("a.b.c")).isFalse();
        assertThat(SqlNames.isValid("orders; drop")).isFalse();
        assertThat(SqlNames.isValid("\"Orders\"")).isFalse();
        assertThat(SqlNames.columnList("keyColumns", " region , order_id ")).containsExactly("region", "order_id");
        assertThatThrownBy(() -> SqlNames.columnList("keyColumns", "id, id")).hasMessageContaining("twice");
        assertThatThrownBy(() -> SqlNames.columnList("columns", "id, 1x")).hasMessageContaining("'1x' in columns");
    }
}
