/** The resilient HTTP client: named clients to logical services. */
@NullMarked
package io.bulwark.http.client;

import org.jspecify.annotations.NullMarked;
