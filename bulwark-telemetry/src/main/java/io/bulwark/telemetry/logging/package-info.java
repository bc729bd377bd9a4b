@NullMarked
package io.bulwark.telemetry.logging;

import org.jspecify.annotations.NullMarked;
