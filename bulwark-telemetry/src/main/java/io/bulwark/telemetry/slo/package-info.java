@NullMarked
package io.bulwark.telemetry.slo;

import org.jspecify.annotations.NullMarked;
