/** The service discovery SPI and its static, embedded-registry and DNS implementations. */
@NullMarked
package io.bulwark.http.discovery;

import org.jspecify.annotations.NullMarked;
