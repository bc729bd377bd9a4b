/** Machinery shared by the log's backends; not exported. */
@NullMarked
package io.bulwark.events.internal;

import org.jspecify.annotations.NullMarked;
