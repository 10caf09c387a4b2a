package io.selfheal.runs;

import io.selfheal.idempotency.TestDatabases;

/** The run store on MariaDb (127.0.0.1 for the servers). */
class RunStoreMariaDbTest extends RunStoreContract {
    @Override
    TestDatabases database() {
        return TestDatabases.MARIADB;
    }
}
