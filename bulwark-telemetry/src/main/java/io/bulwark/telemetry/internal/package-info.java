/** Telemetry machinery: aggregates, the OTel metric producer, the span registry. Not API. */
@NullMarked
package io.bulwark.telemetry.internal;

import org.jspecify.annotations.NullMarked;
