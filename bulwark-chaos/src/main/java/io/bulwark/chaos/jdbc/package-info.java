/**
 * The JDBC injection point: a wrapping {@link javax.sql.DataSource} whose connections and
 * statements see the active chaos faults (latency, {@link java.sql.SQLException} with a SQLState)
 * for all statements or the named ones.
 */
@NullMarked
package io.bulwark.chaos.jdbc;

import org.jspecify.annotations.NullMarked;
