/**
 * JDBC for every store: one {@link io.selfheal.jdbc.SqlDialect} for H2, PostgreSQL and MariaDB, the HikariCP
 * {@link io.selfheal.jdbc.PooledDataSource}, and the {@link io.selfheal.jdbc.JdbcSettings} (URL, user, password,
 * pool) each store reads, whose text form masks the password.
 * <p>
 * Ground: imports HikariCP and the JDK only, no other Selfheal package and no Camel.
 */
package io.selfheal.jdbc;
