package io.bulwark.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Raw HTTP/1.1 over sockets, for the wire-level tests. */
final class RawHttp {
  private RawHttp() {}

  /** Opens a socket to the gateway's listener with a read timeout as a safety net only. */
  static Socket open(int port) throws IOException {
    Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(20_000);
    return s;
  }

  static void send(Socket s, String raw) throws IOException {
    s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
  }

  /**
   * Reads one response: the head, then the body by content-length or chunked (none for 1xx, 204,
   * 304). Returns head + body as text; "" at end of stream before any byte.
   */
  static String readResponse(InputStream in) throws IOException {
    String head = readHead(in);
    if (head.isEmpty()) {
      return "";
    }
    String lower = head.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(head);
    int status = Integer.parseInt(head.substring(9, 12));
    if (status < 200 || status == 204 || status == 304) {
      return out.toString();
    }
    String cl = header(lower, "content-length");
    if (cl != null) {
      out.append(new String(in.readNBytes(Integer.parseInt(cl)), StandardCharsets.ISO_8859_1));
    } else if ("chunked".equals(header(lower, "transfer-encoding"))) {
      while (true) {
        String size = line(in);
        int n = Integer.parseInt(size.strip(), 16);
        if (n == 0) {
          line(in);
          break;
        }
        out.append(new String(in.readNBytes(n), StandardCharsets.ISO_8859_1));
        line(in);
      }
    } else {
      out.append(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
    }
    return out.toString();
  }

  /** The head up to and including the blank line; "" at end of stream. */
  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
      b.write(c);
      state =
          (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
              ? state + 1
              : c == '\r' ? 1 : 0;
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  static String header(String lowerHead, String name) {
    for (String l : lowerHead.lines().toList()) {
      if (l.startsWith(name + ":")) {
        return l.substring(name.length() + 1).strip();
      }
    }
    return null;
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** Reads until end of stream; true if the peer closed (EOF or reset), the rest ignored. */
  static boolean closedByPeer(Socket s) {
    try {
      InputStream in = s.getInputStream();
      while (in.read() >= 0) {
        // drain what is left until the close
      }
      return true;
    } catch (IOException e) {
      return !(e instanceof java.net.SocketTimeoutException);
    }
  }
}
