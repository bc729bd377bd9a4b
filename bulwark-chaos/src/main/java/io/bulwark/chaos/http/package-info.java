/** See docs/chaos.md. */
@NullMarked
package io.bulwark.chaos.http;

import org.jspecify.annotations.NullMarked;
