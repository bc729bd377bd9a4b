/**
 * The HTTP/1.x wire guard for servers built on Vert.x outside {@code BulwarkServer} (the gateway):
 * request-head timeout from accept, strict request framing and connection limits counted at accept.
 */
@NullMarked
package io.bulwark.http.wire;

import org.jspecify.annotations.NullMarked;
