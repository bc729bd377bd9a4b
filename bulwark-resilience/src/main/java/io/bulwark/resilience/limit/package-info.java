@NullMarked
package io.bulwark.resilience.limit;

import org.jspecify.annotations.NullMarked;
