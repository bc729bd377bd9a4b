/** The gateway's engine: compiled matcher, proxy data path, egress guard, admin routes. */
@NullMarked
package io.bulwark.gateway.internal;

import org.jspecify.annotations.NullMarked;
