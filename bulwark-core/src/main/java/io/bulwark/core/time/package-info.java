@NullMarked
package io.bulwark.core.time;

import org.jspecify.annotations.NullMarked;
