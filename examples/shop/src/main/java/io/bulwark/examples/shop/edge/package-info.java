/**
 * The shop's edge: bulwark-gateway running as a service of the shop's system, configured by {@code
 * shop/gateway.yaml} (JWT on customer routes, per-client rate limits, the {@code /legacy} strangler
 * split, BFF routes). See {@code docs/shop.md}.
 */
@NullMarked
package io.bulwark.examples.shop.edge;

import org.jspecify.annotations.NullMarked;
