package io.selfheal.runs;

import io.selfheal.idempotency.TestDatabases;

/** The run store on H2 (127.0.0.1 for the servers). */
class RunStoreH2Test extends RunStoreContract {
    @Override
    TestDatabases database() {
        return TestDatabases.H2;
    }
}
