/**
 * The legacy monolith the shop is strangling: old-style product pages and the account page, behind
 * the gateway's {@code /legacy} routes. See {@code docs/shop.md}.
 */
@NullMarked
package io.bulwark.examples.shop.legacy;

import org.jspecify.annotations.NullMarked;
