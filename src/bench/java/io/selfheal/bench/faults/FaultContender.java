package io.selfheal.bench.faults;

import java.util.List;
import java.util.Set;

/** One way of delivering a schedule's messages to the upstream, with a given number of workers. */
public interface FaultContender extends AutoCloseable {
    /** The workers of the fault schedule. */
    int WORKERS = 4;
    /** The statuses every retrying contender treats as worth another call. */
    Set<Integer> RETRYABLE = Set.of(408, 429, 500, 502, 503, 504);
    String BODY = "{\"order\":{\"sku\":\"A-7\",\"qty\":3}}";

    String name();

    /** How it is configured, one line for the notes under the table. */
    String configuration();

    /**
     * Starts delivering to {@code POST http://127.0.0.1:port/messages/{id}} with {@code workers} seda consumers or
     * threads.
     */
    void start(int port, int workers, Recorder recorder) throws Exception;

    /** Hands every message over at once (a batch); the contender's workers take them from there. */
    void submitAll(List<Integer> ids) throws Exception;

    /** Anything worth saying under the table after the run (give-up reasons, say); empty when nothing. */
    default String afterRun() {
        return "";
    }

    @Override
    void close() throws Exception;
}
