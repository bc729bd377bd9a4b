package io.bulwark.saga;

import java.util.Objects;

/** Checks the names the saga API accepts: workflows, steps, queues, signals, state keys. */
final class Names {
  private Names() {}

  /** 1 to 128 characters of letters, digits and {@code . _ - :}; the message names {@code what}. */
  static String check(String what, String name) {
    Objects.requireNonNull(name, what);
    if (name.isEmpty() || name.length() > 128) {
      throw new IllegalArgumentException(
          what + " must be 1 to 128 characters, got " + name.length() + ": '" + name + "'");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-'
              || c == ':';
      if (!ok) {
        throw new IllegalArgumentException(
            what
                + " may use only letters, digits and . _ - :, got '"
                + name
                + "' (character "
                + (i + 1)
                + ")");
      }
    }
    return name;
  }
}
