@NullMarked
package io.bulwark.core.error;

import org.jspecify.annotations.NullMarked;
