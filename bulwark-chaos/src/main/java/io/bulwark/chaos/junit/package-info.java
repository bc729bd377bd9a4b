/** See docs/chaos.md. */
@NullMarked
package io.bulwark.chaos.junit;

import org.jspecify.annotations.NullMarked;
