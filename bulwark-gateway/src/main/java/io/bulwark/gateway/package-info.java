/** The gateway's config model and engine entry point ({@link io.bulwark.gateway.Gateway}). */
@NullMarked
package io.bulwark.gateway;

import org.jspecify.annotations.NullMarked;
