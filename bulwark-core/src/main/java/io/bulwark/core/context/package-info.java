@NullMarked
package io.bulwark.core.context;

import org.jspecify.annotations.NullMarked;
