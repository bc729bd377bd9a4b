/**
 * The shop's backends for frontends: the web BFF (serving the storefront page) and the mobile BFF,
 * each answering one page from catalog, cart and recommendations called in parallel. See {@code
 * docs/shop.md}.
 */
@NullMarked
package io.bulwark.examples.shop.bff;

import org.jspecify.annotations.NullMarked;
