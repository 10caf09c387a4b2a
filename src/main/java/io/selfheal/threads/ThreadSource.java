package io.selfheal.threads;

import java.util.concurrent.ThreadFactory;

/**
 * Where a component's threads come from, each by the name it would give it. Selfheal's own threads are daemon
 * threads named as given ({@link #daemons()}); in a CamelContext the camel layer passes the context's
 * {@code ExecutorServiceManager::newThread}, so the threads follow the context's thread naming and are seen where
 * Camel's are.
 */
@FunctionalInterface
public interface ThreadSource {
    /** A new, not started thread that runs {@code task}; {@code name} says what it is for. */
    Thread newThread(String name, Runnable task);

    /** The factory of one kind of thread, for an executor: each thread it makes is named {@code name}. */
    default ThreadFactory named(String name) {
        return task -> newThread(name, task);
    }

    /** Daemon threads named exactly as given: what the domain classes use without a CamelContext. */
    static ThreadSource daemons() {
        return (name, task) -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            return t;
        };
    }
}
