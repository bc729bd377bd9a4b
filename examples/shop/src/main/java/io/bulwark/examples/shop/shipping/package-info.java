/** The shop's shipping service: see {@code docs/shop.md}. */
@NullMarked
package io.bulwark.examples.shop.shipping;

import org.jspecify.annotations.NullMarked;
