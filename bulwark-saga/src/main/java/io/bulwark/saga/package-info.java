/** See the module documentation and docs/sagas.md. */
@NullMarked
package io.bulwark.saga;

import org.jspecify.annotations.NullMarked;
