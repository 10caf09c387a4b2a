package io.selfheal.runs;

import io.selfheal.idempotency.TestDatabases;

/** The run store on PostgreSql (127.0.0.1 for the servers). */
class RunStorePostgreSqlTest extends RunStoreContract {
    @Override
    TestDatabases database() {
        return TestDatabases.POSTGRESQL;
    }
}
