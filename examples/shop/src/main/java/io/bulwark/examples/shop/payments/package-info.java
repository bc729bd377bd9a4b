/** The shop's payments service: see {@code docs/shop.md}. */
@NullMarked
package io.bulwark.examples.shop.payments;

import org.jspecify.annotations.NullMarked;
