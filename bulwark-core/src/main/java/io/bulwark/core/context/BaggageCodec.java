package io.bulwark.core.context;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The W3C {@code baggage} header format: {@code key=value;prop,key2=value2}, values
 * percent-encoded.
 */
final class BaggageCodec {
  static final int MAX_HEADER_BYTES = 8192;
  private static final String TSPECIALS = "()<>@,;:\\\"/[]?={} \t";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private BaggageCodec() {}

  static String encode(Baggage baggage) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : baggage.asMap().entrySet()) {
      if (!sb.isEmpty()) {
        sb.append(',');
      }
      sb.append(e.getKey()).append('=');
      percentEncode(e.getValue(), sb);
    }
    return sb.toString();
  }

  /**
   * Parses a header value. Properties after {@code ;} are accepted and dropped.
   *
   * @throws IllegalArgumentException with the reason, naming the offending member
   */
  static Baggage decode(String header) {
    if (header.length() > MAX_HEADER_BYTES) {
      throw new IllegalArgumentException(
          "longer than " + MAX_HEADER_BYTES + " bytes (" + header.length() + ")");
    }
    LinkedHashMap<String, String> entries = new LinkedHashMap<>();
    for (String member : header.split(",", -1)) {
      String trimmed = member.strip();
      if (trimmed.isEmpty()) {
        throw new IllegalArgumentException("empty list member");
      }
      int semicolon = trimmed.indexOf(';');
      String pair = semicolon < 0 ? trimmed : trimmed.substring(0, semicolon);
      int eq = pair.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("member \"" + trimmed + "\" has no '='");
      }
      String key = pair.substring(0, eq).strip();
      if (!isToken(key)) {
        throw new IllegalArgumentException("key \"" + key + "\" is not a valid token");
      }
      entries.put(key, percentDecode(pair.substring(eq + 1).strip(), trimmed));
      if (entries.size() > Baggage.MAX_ENTRIES) {
        throw new IllegalArgumentException("more than " + Baggage.MAX_ENTRIES + " members");
      }
    }
    return Baggage.of(entries);
  }

  static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7f || TSPECIALS.indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  private static void percentEncode(String value, StringBuilder out) {
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean safe =
          c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\' && c != '%';
      if (safe) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
  }

  private static String percentDecode(String value, String member) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%') {
        if (i + 2 >= value.length()) {
          throw new IllegalArgumentException("member \"" + member + "\" has a truncated %-escape");
        }
        int hi = Character.digit(value.charAt(i + 1), 16);
        int lo = Character.digit(value.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("member \"" + member + "\" has a bad %-escape");
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\') {
        throw new IllegalArgumentException(
            "member \"" + member + "\" has a character not allowed in a value: '" + c + "'");
      } else {
        bytes.write(c);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
