/** See the module documentation and docs/events.md. */
@NullMarked
package io.bulwark.events.internal.kafka;

import org.jspecify.annotations.NullMarked;
