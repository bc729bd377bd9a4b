@NullMarked
package io.bulwark.resilience;

import org.jspecify.annotations.NullMarked;
