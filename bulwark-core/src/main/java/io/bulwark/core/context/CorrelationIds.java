package io.bulwark.core.context;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Correlation ids: generation and validation. */
public final class CorrelationIds {
  /** Longest accepted id. */
  public static final int MAX_LENGTH = 128;

  private CorrelationIds() {}

  /** A new random id: 16 lowercase hex digits. */
  public static String newId() {
    return HEX.toHexDigits(ThreadLocalRandom.current().nextLong()); // zero-padded, one array
  }

  private static final HexFormat HEX = HexFormat.of();

  /** True if {@code id} is 1 to 128 visible ASCII characters (no spaces, commas or quotes). */
  public static boolean isValid(String id) {
    if (id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == ',' || c == '"' || c == ';' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  static void requireValid(String id) {
    if (!isValid(id)) {
      throw new IllegalArgumentException(
          "correlation id must be 1 to "
              + MAX_LENGTH
              + " visible ASCII characters without , ; \" or \\, was \""
              + id
              + "\"");
    }
  }
}
