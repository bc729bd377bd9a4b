/** The shop's orders service: see {@code docs/shop.md}. */
@NullMarked
package io.bulwark.examples.shop.orders;

import org.jspecify.annotations.NullMarked;
