/**
 * HTTP service runtime: routes, handlers on virtual threads, inbound filters, health and graceful
 * shutdown.
 */
@NullMarked
package io.bulwark.http;

import org.jspecify.annotations.NullMarked;
