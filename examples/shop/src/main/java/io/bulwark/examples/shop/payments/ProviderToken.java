package io.bulwark.examples.shop.payments;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The legacy provider's idempotency token of a charge, derived from the saga's idempotency key (the
 * {@code Idempotency-Key} header orders sends: the same on every attempt of the charge step and on
 * its compensation): {@code SHOP} and the first 32 hex digits of the key's SHA-256, upper case —
 * the provider accepts {@code [A-Z0-9]{8,40}}, and the saga's keys are longer and freer than that.
 * The same key always gives the same token, so every retry of a charge, by anyone, reaches the
 * provider as the same sale.
 */
final class ProviderToken {
  private ProviderToken() {}

  static String of(String idempotencyKey) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
      return "SHOP" + HexFormat.of().formatHex(hash, 0, 16).toUpperCase(Locale.ROOT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
