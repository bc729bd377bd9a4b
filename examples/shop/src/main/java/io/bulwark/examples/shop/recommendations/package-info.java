/** The shop's recommendations service: see {@code docs/shop.md}. */
@NullMarked
package io.bulwark.examples.shop.recommendations;

import org.jspecify.annotations.NullMarked;
