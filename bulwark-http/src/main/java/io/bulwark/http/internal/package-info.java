/** Implementation: not exported. */
@NullMarked
package io.bulwark.http.internal;

import org.jspecify.annotations.NullMarked;
