/** See the module documentation and docs/events.md. */
@NullMarked
package io.bulwark.events.outbox;

import org.jspecify.annotations.NullMarked;
