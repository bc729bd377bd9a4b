/**
 * A deliberately awkward legacy payment provider, run as its own service: see {@link
 * io.bulwark.examples.shop.provider.LegacyPaymentProvider} and {@code docs/shop.md}.
 */
@NullMarked
package io.bulwark.examples.shop.provider;

import org.jspecify.annotations.NullMarked;
