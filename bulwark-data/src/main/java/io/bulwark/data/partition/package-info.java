/** See docs/data.md. */
@NullMarked
package io.bulwark.data.partition;

import org.jspecify.annotations.NullMarked;
