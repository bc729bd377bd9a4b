/** See the module documentation and docs/events.md. */
@NullMarked
package io.bulwark.events;

import org.jspecify.annotations.NullMarked;
