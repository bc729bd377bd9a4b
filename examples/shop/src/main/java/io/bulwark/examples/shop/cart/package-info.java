/** The shop's cart service: see {@code docs/shop.md}. */
@NullMarked
package io.bulwark.examples.shop.cart;

import org.jspecify.annotations.NullMarked;
