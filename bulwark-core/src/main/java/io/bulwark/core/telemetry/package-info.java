/**
 * The recording API every Bulwark component reports through: RED recorders, decision records, spans
 * and the one rule that turns a failure into an {@link io.bulwark.core.telemetry.Outcome}. It needs
 * no OpenTelemetry: {@link io.bulwark.core.telemetry.Telemetry#noop()} records nothing and {@link
 * io.bulwark.core.telemetry.Tracing#disabled()} still gives every hop its own span id. The
 * OpenTelemetry-backed implementation is {@code BulwarkTelemetry} in bulwark-telemetry.
 */
@NullMarked
package io.bulwark.core.telemetry;

import org.jspecify.annotations.NullMarked;
