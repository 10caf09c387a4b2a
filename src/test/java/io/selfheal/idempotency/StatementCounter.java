package io.selfheal.idempotency;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A data source in front of another that counts what its callers ask of the database: connections borrowed,
 * statements executed (each is one round trip on PostgreSQL and MariaDB; H2 is embedded) and commits (a statement
 * executed in auto-commit mode is one, an explicit {@code commit()} is one), and which SQL they ran. It changes
 * nothing: every call goes to the wrapped data source. Tests assert what one key-store call costs with it, and the
 * idempotency benchmark reports the same counts (serially, outside its timed runs).
 */
public final class StatementCounter {
    private static final Set<String> EXECUTE = Set.of("execute", "executeUpdate", "executeQuery", "executeLargeUpdate",
            "executeBatch", "executeLargeBatch");

    private final AtomicLong borrows = new AtomicLong();
    private final AtomicLong statements = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    /** Each SQL text executed, in the order first seen, with how many times. */
    private final Map<String, AtomicLong> sql = Collections.synchronizedMap(new LinkedHashMap<>());
    private final DataSource dataSource;

    public StatementCounter(DataSource target) {
        this.dataSource = proxy(DataSource.class, (p, m, args) -> {
            Object result = call(target, m, args);
            if (result instanceof Connection c) {
                borrows.incrementAndGet();
                return connection(c);
            }
            return result;
        });
    }

    /** The counting data source: hand this to the code under test. */
    public DataSource dataSource() {
        return dataSource;
    }

    public long borrows() {
        return borrows.get();
    }

    public long statements() {
        return statements.get();
    }

    public long commits() {
        return commits.get();
    }

    /** The SQL texts executed since the last reset, in the order first seen. */
    public List<String> sql() {
        synchronized (sql) {
            return List.copyOf(sql.keySet());
        }
    }

    public void reset() {
        borrows.set(0);
        statements.set(0);
        commits.set(0);
        sql.clear();
    }

    private Connection connection(Connection target) {
        return proxy(Connection.class, (p, m, args) -> {
            if (m.getName().equals("commit")) {
                commits.incrementAndGet();
            }
            Object result = call(target, m, args);
            if (result instanceof PreparedStatement ps) {
                return statement(PreparedStatement.class, ps, target, (String) args[0]);
            }
            if (result instanceof Statement s) {
                return statement(Statement.class, s, target, null);
            }
            return result;
        });
    }

    private <S extends Statement> S statement(Class<S> type, S target, Connection connection, String preparedSql) {
        return proxy(type, (p, m, args) -> {
            if (EXECUTE.contains(m.getName())) {
                statements.incrementAndGet();
                if (connection.getAutoCommit()) {
                    commits.incrementAndGet();
                }
                String text = preparedSql != null ? preparedSql
                        : args != null && args.length > 0 && args[0] instanceof String s ? s : "?";
                sql.computeIfAbsent(text, k -> new AtomicLong()).incrementAndGet();
            }
            return call(target, m, args);
        });
    }

    private static Object call(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, InvocationHandler h) {
        return (T) Proxy.newProxyInstance(StatementCounter.class.getClassLoader(), new Class<?>[] {type}, h);
    }
}
