/** Endpoint health: active health checks and passive outlier ejection. */
@NullMarked
package io.bulwark.http.health;

import org.jspecify.annotations.NullMarked;
