package io.selfheal.camel.idempotency;

import io.selfheal.idempotency.JdbcKeyStore;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Camel's {@link IdempotentRepository} over a {@link JdbcKeyStore}: the keys of one scope (a name that keeps, say,
 * order ids and invoice ids apart). Used by the idempotent consumer EIP; bound as {@code selfhealIdempotentRepository}
 * (scope {@value #DEFAULT_SCOPE}) and {@code selfhealIdempotentRepository-<scope>}.
 * <p>
 * A key is claimed when added and confirmed when its exchange completes ({@link #confirm}); a copy that arrives while
 * the claim is alive fails with {@link KeyInProgressException} (TRANSIENT) instead of being skipped.
 * A key this exchange added is remembered on the exchange ({@value #CLAIMED_KEYS}), so that giving up can release it
 * and a replay of the same message goes through. Stopping the repository (Camel stops it with each route that uses
 * it) does not close the shared pool.
 */
public final class JdbcIdempotentRepository extends ServiceSupport implements IdempotentRepository {
    public static final String DEFAULT_SCOPE = "default";
    /** Exchange property: the {@link ClaimedKey}s this exchange added (an unmodifiable list, replaced on each add). */
    public static final String CLAIMED_KEYS = "SelfhealIdempotencyClaimedKeys";
    /** Exchange property set when a give-up released the keys: a late add (non-eager EIP) must not claim them again. */
    public static final String KEYS_RELEASED = "SelfhealIdempotencyKeysReleased";

    private final JdbcKeyStore store;
    private final String scope;

    /** A key added while processing an exchange, and by whom. */
    public record ClaimedKey(JdbcIdempotentRepository repository, String key, String exchangeId) {
        public boolean release() {
            return repository.remove(key);
        }
    }

    public JdbcIdempotentRepository(JdbcKeyStore store, String scope) {
        this.store = Objects.requireNonNull(store, "store");
        if (scope == null || scope.isBlank() || scope.length() > JdbcKeyStore.MAX_SCOPE_CHARS) {
            throw new IllegalArgumentException("Idempotency scope must be 1 to " + JdbcKeyStore.MAX_SCOPE_CHARS
                    + " characters: '" + scope + "'");
        }
        this.scope = scope;
    }

    public String scope() {
        return scope;
    }

    public JdbcKeyStore store() {
        return store;
    }

    @Override
    public boolean add(String key) {
        return store.add(scope, key);
    }

    @Override
    public boolean add(Exchange exchange, String key) {
        if (Boolean.TRUE.equals(exchange.getProperty(KEYS_RELEASED, Boolean.class))) {
            return false;
        }
        boolean added = add(key);
        if (added) {
            @SuppressWarnings("unchecked")
            List<ClaimedKey> before = exchange.getProperty(CLAIMED_KEYS, List.class);
            List<ClaimedKey> after = new ArrayList<>(before == null ? List.of() : before);
            after.add(new ClaimedKey(this, key, exchange.getExchangeId()));
            // copied, not mutated: a split part shares its parent's property values
            exchange.setProperty(CLAIMED_KEYS, List.copyOf(after));
        }
        return added;
    }

    @Override
    public boolean contains(String key) {
        return store.contains(scope, key);
    }

    @Override
    public boolean remove(String key) {
        return store.remove(scope, key);
    }

    /**
     * The message was processed: the key's claim becomes a confirmed key, which later copies skip. Until then a copy
     * is retried, not skipped (see {@link JdbcKeyStore}), so a processing that dies cannot take the message with it.
     */
    @Override
    public boolean confirm(String key) {
        return store.confirm(scope, key);
    }

    @Override
    public void clear() {
        store.clear(scope);
    }

    @Override
    protected void doStart() {
        // the table is created on first use: a database that is down must not stop routes from starting
    }

    @Override
    public String toString() {
        return "JdbcIdempotentRepository[" + store.table() + ", scope=" + scope + "]";
    }
}
