/**
 * The kill -9 torture tests: an order saga run in child JVMs killed with SIGKILL at random instants
 * (SQLite restart recovery; PostgreSQL adoption by a second executor), then checked exactly.
 */
@NullMarked
package io.bulwark.saga.torture;

import org.jspecify.annotations.NullMarked;
