/** See the module documentation and docs/sagas.md. */
@NullMarked
package io.bulwark.saga.http;

import org.jspecify.annotations.NullMarked;
