/** See the module documentation and docs/sagas.md. */
@NullMarked
package io.bulwark.saga.internal;

import org.jspecify.annotations.NullMarked;
