package io.bulwark.gateway.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Request paths as the gateway matches and forwards them. A path is refused (400) when it is not in
 * origin form or hides a separator or dot segment in an escape ({@code %2f}, {@code %5c}, {@code
 * %2e}), a backslash or a NUL, since upstreams disagree on how to read those and a route check that
 * reads them differently from the upstream is a bypass. Dot segments are resolved before matching,
 * so {@code /public/../admin} is matched — and forwarded — as {@code /admin}.
 */
final class Paths {
  private Paths() {}

  /** The normalized path, or null if {@code raw} is refused. */
  static @Nullable String normalize(String raw) {
    if (raw.isEmpty() || raw.charAt(0) != '/') {
      return null;
    }
    String lower = raw.toLowerCase(Locale.ROOT);
    if (raw.indexOf('\\') >= 0
        || raw.indexOf('\0') >= 0
        || lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("%2e")
        || lower.contains("%00")) {
      return null;
    }
    if (!raw.contains("/.")) {
      return raw;
    }
    Deque<String> out = new ArrayDeque<>();
    String[] segs = raw.substring(1).split("/", -1);
    for (int i = 0; i < segs.length; i++) {
      String s = segs[i];
      boolean last = i == segs.length - 1;
      if (s.equals(".")) {
        if (last) {
          out.addLast("");
        }
      } else if (s.equals("..")) {
        out.pollLast();
        if (last) {
          out.addLast("");
        }
      } else {
        out.addLast(s);
      }
    }
    return "/" + String.join("/", out);
  }
}
