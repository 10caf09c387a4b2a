package io.selfheal.testing;

import io.selfheal.camel.Selfheal;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A data source that counts the connections taken from it. A route that takes one connection per execution (camel-jdbc,
 * or a processor that opens one per call) so shows how many times the database was asked, independently of Selfheal's
 * own attempt counter.
 */
public final class CountingDataSource {
    public final DataSource dataSource;
    public final AtomicInteger connections = new AtomicInteger();

    public CountingDataSource(DataSource target) {
        this.dataSource = (DataSource) Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        connections.incrementAndGet();
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
