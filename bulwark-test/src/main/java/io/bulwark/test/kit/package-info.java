@NullMarked
package io.bulwark.test.kit;

import org.jspecify.annotations.NullMarked;
