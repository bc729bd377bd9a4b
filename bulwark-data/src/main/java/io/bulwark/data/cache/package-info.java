/** See docs/data.md. */
@NullMarked
package io.bulwark.data.cache;

import org.jspecify.annotations.NullMarked;
