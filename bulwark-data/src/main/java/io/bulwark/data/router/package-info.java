/** See docs/data.md. */
@NullMarked
package io.bulwark.data.router;

import org.jspecify.annotations.NullMarked;
