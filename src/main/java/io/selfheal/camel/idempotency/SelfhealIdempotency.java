package io.selfheal.camel.idempotency;

import io.selfheal.camel.InstalledBeans;
import io.selfheal.camel.Selfheal;
import io.selfheal.camel.SelfhealRuntime;

import io.selfheal.idempotency.IdempotencySettings;
import io.selfheal.idempotency.IdempotentInsert;

import io.selfheal.idempotency.JdbcKeyStore;
import io.selfheal.jdbc.PooledDataSource;
import io.selfheal.threads.ThreadSource;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.BeanRepository;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.DefaultRegistry;
import org.apache.camel.support.service.ServiceSupport;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Idempotency in one CamelContext: the key store's pool, the repositories by scope and the idempotent sinks. Bound as
 * {@value #BEAN_NAME}. Registry names a YAML route can use:
 * <ul>
 *     <li>{@value #REPOSITORY_BEAN}: the repository of scope {@value JdbcIdempotentRepository#DEFAULT_SCOPE};</li>
 *     <li>{@value #REPOSITORY_BEAN}{@code -<scope>}: the repository of that scope (order ids apart from invoice ids);</li>
 * </ul>
 * The pool of {@code selfheal.idempotency.url} is deliberately not bound as a {@link DataSource}: a second DataSource
 * in the registry would stop camel-sql and camel-jdbc from autowiring the user's only one. The idempotent-jdbc-sink Kamelet
 * reaches it by the reserved name {@value #DATA_SOURCE_BEAN}. The pool opens on first use and closes when the CamelContext stops.
 */
public final class SelfhealIdempotency extends ServiceSupport {
    public static final String BEAN_NAME = "selfhealIdempotency";
    public static final String REPOSITORY_BEAN = "selfhealIdempotentRepository";
    public static final String DATA_SOURCE_BEAN = "selfhealIdempotencyDataSource";

    private final IdempotencySettings config;
    private final PooledDataSource dataSource;
    private final JdbcKeyStore store;
    private final Map<String, JdbcIdempotentRepository> repositories = new ConcurrentHashMap<>();
    private final Map<String, IdempotentInsert> sinks = new ConcurrentHashMap<>();

    SelfhealIdempotency(IdempotencySettings config, Clock clock, String contextName, ThreadSource threads) {
        this.config = config;
        this.dataSource = new PooledDataSource(config.jdbc(), "selfheal-idempotency-" + contextName);
        this.store = new JdbcKeyStore(dataSource, config.table(), clock, config.claimTimeout(), threads);
    }

    /**
     * Installs the idempotency room: binds the beans and the registry names for scoped repositories (the pool closes
     * with the context), fixes each message's Idempotency-Key entry as it begins a self-healing route, and releases a
     * given-up message's keys.
     */
    public static SelfhealIdempotency install(CamelContext context, SelfhealRuntime runtime) throws Exception {
        // the claim renewer is a thread of the context's, named by its thread pattern
        SelfhealIdempotency idempotency = new SelfhealIdempotency(runtime.config().idempotency(), runtime.clock(),
                context.getName(), (name, task) -> context.getExecutorServiceManager().newThread(name, task));
        InstalledBeans.bind(context, BEAN_NAME, idempotency);
        context.getRegistry().bind(REPOSITORY_BEAN, IdempotentRepository.class,
                idempotency.repository(JdbcIdempotentRepository.DEFAULT_SCOPE));
        if (context.getRegistry() instanceof DefaultRegistry registry) {
            registry.addBeanRepository(idempotency.new ScopedRepositories());
        }
        context.addService(idempotency, true, true);
        runtime.addListener(new KeyReleaseOnGiveUp());
        // the Idempotency-Key's entry, recorded as a message begins a self-healing route
        context.addRoutePolicyFactory(new IdempotencyKeyHeader.EntryRecorder());
        return idempotency;
    }

    public static SelfhealIdempotency of(CamelContext context) {
        SelfhealIdempotency i = InstalledBeans.lookup(context, BEAN_NAME, SelfhealIdempotency.class);
        if (i == null) {
            throw new IllegalStateException("Selfheal is not installed in CamelContext " + context.getName());
        }
        return i;
    }

    public IdempotencySettings config() {
        return config;
    }

    public PooledDataSource dataSource() {
        return dataSource;
    }

    public JdbcKeyStore store() {
        return store;
    }

    /** The repository of one scope (one instance per scope, shared by every route that names it). */
    public JdbcIdempotentRepository repository(String scope) {
        return repositories.computeIfAbsent(scope, s -> new JdbcIdempotentRepository(store, s));
    }

    /** The idempotent sinks by the route id of their Kamelet use: rows inserted and duplicates seen. */
    public Map<String, IdempotentInsert> sinks() {
        return Collections.unmodifiableMap(sinks);
    }

    public IdempotentInsert sink(String name) {
        IdempotentInsert s = sinks.get(name);
        if (s == null) {
            throw new IllegalArgumentException("No idempotent sink named '" + name + "'; known: " + sinks.keySet());
        }
        return s;
    }

    /** A re-created Kamelet use (a reloaded route) replaces its predecessor. */
    void registerSink(String name, IdempotentInsert sink) {
        sinks.put(name, sink);
    }

    @Override
    protected void doStop() {
        // stop renewing claims and let the unconfirmed ones expire at once, while the pool is still open
        store.close();
        dataSource.close();
    }

    /** Resolves {@code selfhealIdempotentRepository-<scope>} to the repository of that scope. */
    private final class ScopedRepositories implements BeanRepository {
        private static final String PREFIX = REPOSITORY_BEAN + "-";

        @Override
        public Object lookupByName(String name) {
            if (name == null || !name.startsWith(PREFIX) || name.length() == PREFIX.length()) {
                return null;
            }
            String scope = name.substring(PREFIX.length());
            if (scope.length() > JdbcKeyStore.MAX_SCOPE_CHARS) {
                return null;
            }
            return repository(scope);
        }

        @Override
        public <T> T lookupByNameAndType(String name, Class<T> type) {
            Object bean = lookupByName(name);
            return type.isInstance(bean) ? type.cast(bean) : null;
        }

        /** Not found by type: the scoped repositories exist only when named, never autowired. */
        @Override
        public <T> Map<String, T> findByTypeWithName(Class<T> type) {
            return Map.of();
        }

        @Override
        public <T> Set<T> findByType(Class<T> type) {
            return Set.of();
        }
    }
}
