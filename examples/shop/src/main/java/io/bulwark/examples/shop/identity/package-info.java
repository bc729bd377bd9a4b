/**
 * The shop's identity service: customers log in and get a short-lived ES256 JWT; its public key is
 * published as a JWKS the gateway verifies tokens with. See {@code docs/shop.md}.
 */
@NullMarked
package io.bulwark.examples.shop.identity;

import org.jspecify.annotations.NullMarked;
