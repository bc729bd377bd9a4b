/** The shop's catalog service: see {@code docs/shop.md}. */
@NullMarked
package io.bulwark.examples.shop.catalog;

import org.jspecify.annotations.NullMarked;
