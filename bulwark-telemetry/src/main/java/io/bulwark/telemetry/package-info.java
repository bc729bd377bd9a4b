/** Bulwark telemetry: recording API, exporters, time-series store and SLOs. */
@NullMarked
package io.bulwark.telemetry;

import org.jspecify.annotations.NullMarked;
