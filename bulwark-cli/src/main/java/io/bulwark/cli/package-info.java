@NullMarked
package io.bulwark.cli;

import org.jspecify.annotations.NullMarked;
