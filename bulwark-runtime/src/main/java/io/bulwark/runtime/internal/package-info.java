/** The in-process runtime's machinery; not exported. */
@NullMarked
package io.bulwark.runtime.internal;

import org.jspecify.annotations.NullMarked;
