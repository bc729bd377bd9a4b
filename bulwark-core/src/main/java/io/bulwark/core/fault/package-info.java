/**
 * The kernel hook of fault injection: the one place where Bulwark's own boundaries (HTTP client and
 * server, event log, saga steps, JDBC, the clock, user code) ask whether to inject a fault, without
 * depending on the chaos module. {@link io.bulwark.core.fault.FaultPoints} holds the installed
 * {@link io.bulwark.core.fault.FaultInjector}, null whenever no fault is active, so an installed
 * point costs one field read until chaos starts a fault.
 */
@NullMarked
package io.bulwark.core.fault;

import org.jspecify.annotations.NullMarked;
