/** A real PostgreSQL server for the tests of PostgreSQL backends. */
@NullMarked
package io.bulwark.test.postgres;

import org.jspecify.annotations.NullMarked;
