/** See the module documentation and docs/events.md. */
@NullMarked
package io.bulwark.events.internal.embedded;

import org.jspecify.annotations.NullMarked;
