package io.bulwark.gateway.internal;

import io.bulwark.core.context.ContextHeaders;
import io.netty.util.AsciiString;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Header names as the data path forwards them: lower case (HTTP/2 requires it), without a new
 * string per header per request for the common names, and classified (hop-by-hop, trusted-only)
 * with one table lookup. A name the decoder delivered as {@code Content-Type} maps to the constant
 * {@code content-type} by a case-insensitive probe of a small open-addressing table; only an
 * unknown name with upper-case letters is lower-cased into a new string.
 */
final class HeaderNames {
  private HeaderNames() {}

  /** Stays on its hop (RFC 9110 §7.6.1, plus host and content-length, which the hop sets). */
  static final int HOP_BY_HOP = 1;

  /** Kept only from a trusted proxy (forwarding and Bulwark context headers that grant things). */
  static final int TRUSTED_ONLY = 2;

  private static final String[] COMMON = {
    "accept",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "age",
    "authorization",
    "cache-control",
    "content-encoding",
    "content-language",
    "content-location",
    "content-range",
    "content-type",
    "cookie",
    "date",
    "etag",
    "expires",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "last-modified",
    "location",
    "origin",
    "pragma",
    "range",
    "referer",
    "retry-after",
    "server",
    "set-cookie",
    "user-agent",
    "vary",
    "via",
    "www-authenticate",
    "x-request-id",
    "x-correlation-id",
    ContextHeaders.TRACEPARENT,
    ContextHeaders.TRACESTATE,
    ContextHeaders.CORRELATION_ID,
  };

  private static final String[] TABLE;
  // the same names as AsciiString, whose hash is computed once: Vert.x and Netty header maps hash
  // every name on add, get and contains, a String's characters each time
  private static final AsciiString[] ASCII;
  private static final int[] FLAGS;
  private static final Map<String, Integer> FLAGS_BY_NAME = new HashMap<>();

  static {
    for (String n : Forwarding.HOP_BY_HOP) {
      FLAGS_BY_NAME.merge(n, HOP_BY_HOP, (a, b) -> a | b);
    }
    for (String n : Forwarding.FROM_TRUSTED_ONLY) {
      FLAGS_BY_NAME.merge(n, TRUSTED_ONLY, (a, b) -> a | b);
    }
    for (String n : COMMON) {
      FLAGS_BY_NAME.merge(n, 0, (a, b) -> a | b);
    }
    int size = Integer.highestOneBit(FLAGS_BY_NAME.size() * 4 - 1) << 1; // load ≤ 1/4
    TABLE = new String[size];
    FLAGS = new int[size];
    ASCII = new AsciiString[size];
    for (Map.Entry<String, Integer> e : FLAGS_BY_NAME.entrySet()) {
      String n = e.getKey();
      if (!n.equals(n.toLowerCase(Locale.ROOT))) {
        throw new IllegalStateException("header name constant not lower case: " + n);
      }
      int i = foldedHash(n) & (size - 1);
      while (TABLE[i] != null) {
        i = (i + 1) & (size - 1);
      }
      TABLE[i] = n;
      ASCII[i] = AsciiString.cached(n);
      FLAGS[i] = e.getValue();
    }
  }

  /**
   * {@code name} in lower case: a shared constant for a known name, else without copying if already
   * lower case.
   */
  static String canonical(String name) {
    int slot = slot(name);
    if (slot >= 0) {
      return TABLE[slot];
    }
    return name.toLowerCase(Locale.ROOT); // the same string when it has no upper-case letter
  }

  /** {@link #HOP_BY_HOP} and/or {@link #TRUSTED_ONLY} for a lower-case name; 0 for others. */
  static int flags(String lowerName) {
    int slot = slot(lowerName);
    if (slot >= 0) {
      return FLAGS[slot];
    }
    return 0;
  }

  /** The lower-case constant in {@code slot} (from {@link #slot}). */
  static String nameAt(int slot) {
    return TABLE[slot];
  }

  /**
   * The lower-case name in {@code slot} (from {@link #slot}) as an {@link AsciiString}: the key to
   * add to a Vert.x or Netty header map (its hash is cached, its bytes are copied at once).
   */
  static AsciiString asciiAt(int slot) {
    return ASCII[slot];
  }

  /** The flags of the name in {@code slot} (from {@link #slot}). */
  static int flagsAt(int slot) {
    return FLAGS[slot];
  }

  /** The table slot of the known name equal to {@code name} with ASCII case folded, or -1. */
  static int slot(CharSequence name) {
    int mask = TABLE.length - 1;
    int i = foldedHash(name) & mask;
    while (true) {
      @Nullable String t = TABLE[i];
      if (t == null) {
        return -1;
      }
      if (equalsAsciiIgnoreCase(t, name)) {
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  /**
   * {@code lower} (lower case) equals {@code name} with ASCII letters folded; nothing else folds.
   */
  private static boolean equalsAsciiIgnoreCase(String lower, CharSequence name) {
    if (lower.length() != name.length()) {
      return false;
    }
    for (int i = 0; i < lower.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** A hash of the ASCII-lower-cased name (other characters as they are). */
  private static int foldedHash(CharSequence s) {
    int h = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      }
      h = 31 * h + c;
    }
    return h ^ (h >>> 16);
  }
}
