/** See docs/chaos.md. */
@NullMarked
package io.bulwark.chaos;

import org.jspecify.annotations.NullMarked;
