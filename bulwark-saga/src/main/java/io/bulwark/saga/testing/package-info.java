/** See the module documentation and docs/sagas.md. */
@NullMarked
package io.bulwark.saga.testing;

import org.jspecify.annotations.NullMarked;
