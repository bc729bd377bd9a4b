@NullMarked
package io.bulwark.test;

import org.jspecify.annotations.NullMarked;
