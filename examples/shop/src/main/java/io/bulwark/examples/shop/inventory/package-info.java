/** The shop's inventory service: see {@code docs/shop.md}. */
@NullMarked
package io.bulwark.examples.shop.inventory;

import org.jspecify.annotations.NullMarked;
