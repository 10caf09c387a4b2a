package io.selfheal.bench.faults;

/** No retry at all: one call per message. The floor for calls, the ceiling for losses. */
final class NoRetryFaults extends HttpClientContender {
    @Override
    public String name() {
        return "no retry";
    }

    @Override
    public String configuration() {
        return "one call per message with java.net.http.HttpClient, " + workers() + " worker threads";
    }

    @Override
    boolean deliver(int id) {
        return accepted(call(id));
    }
}
