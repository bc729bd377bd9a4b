@NullMarked
package io.bulwark.telemetry.store;

import org.jspecify.annotations.NullMarked;
