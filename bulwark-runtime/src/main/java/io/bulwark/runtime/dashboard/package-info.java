/**
 * The runtime's live dashboard: a loopback web page (plain HTML, CSS and JavaScript from the jar,
 * charts from the ECharts webjar) over a JSON API, updated by server-sent events. See {@link
 * io.bulwark.runtime.dashboard.Dashboard} and docs/dashboard.md.
 */
@NullMarked
package io.bulwark.runtime.dashboard;

import org.jspecify.annotations.NullMarked;
