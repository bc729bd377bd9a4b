/** See docs/chaos.md. */
@NullMarked
package io.bulwark.chaos.experiment;

import org.jspecify.annotations.NullMarked;
