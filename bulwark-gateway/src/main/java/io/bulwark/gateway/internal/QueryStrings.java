package io.bulwark.gateway.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** Reads one parameter of a raw query string, without parsing the rest. */
final class QueryStrings {
  private QueryStrings() {}

  static @Nullable String first(@Nullable String query, String name) {
    if (query == null || query.isEmpty()) {
      return null;
    }
    int i = 0;
    while (i <= query.length()) {
      int amp = query.indexOf('&', i);
      int end = amp < 0 ? query.length() : amp;
      int eq = query.indexOf('=', i);
      int keyEnd = eq < 0 || eq > end ? end : eq;
      if (decode(query.substring(i, keyEnd)).equals(name)) {
        return keyEnd == end ? "" : decode(query.substring(keyEnd + 1, end));
      }
      if (amp < 0) {
        break;
      }
      i = amp + 1;
    }
    return null;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s; // a malformed escape matches only literally
    }
  }
}
