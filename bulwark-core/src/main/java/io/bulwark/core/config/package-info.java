@NullMarked
package io.bulwark.core.config;

import org.jspecify.annotations.NullMarked;
