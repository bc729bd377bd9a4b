package io.bulwark.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A minimal HTTP/1.1 client over a raw loopback socket, for requests no real client would send. */
public final class RawHttp {
  public record Reply(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private RawHttp() {}

  /** Sends {@code head} (request line + headers, CRLF separated, without the blank line) + body. */
  public static Reply send(int port, String head, byte[] body) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      try {
        out.write(body);
        out.flush();
      } catch (IOException serverClosedEarly) {
        // the server may answer and close before reading an oversized body
      }
      return parse(socket.getInputStream());
    }
  }

  public static Reply get(int port, String path, String... headers) throws IOException {
    StringBuilder head = new StringBuilder("GET " + path + " HTTP/1.1\r\nhost: 127.0.0.1");
    for (String h : headers) {
      head.append("\r\n").append(h);
    }
    return send(port, head.toString(), new byte[0]);
  }

  public static Reply post(int port, String path, String json, String... headers)
      throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    StringBuilder head =
        new StringBuilder(
            "POST "
                + path
                + " HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: "
                + body.length);
    for (String h : headers) {
      head.append("\r\n").append(h);
    }
    return send(port, head.toString(), body);
  }

  /**
   * Writes {@code raw} as is (no header added) and reads until the server closes the connection;
   * fails if it is still open after 20 s. Returns everything the server sent.
   */
  public static String untilClosed(int port, byte[] raw) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(raw);
      socket.getOutputStream().flush();
      return readToEof(socket.getInputStream());
    }
  }

  /** The status codes of the answers in {@code text}, in order. */
  public static java.util.List<Integer> statuses(String text) {
    java.util.List<Integer> out = new java.util.ArrayList<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("HTTP/1\\.[01] (\\d{3}) ").matcher(text);
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    return out;
  }

  /** Reads to EOF (a reset after the answer counts as EOF); a read timeout fails. */
  static String readToEof(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        all.write(buf, 0, n);
      }
    } catch (java.net.SocketTimeoutException open) {
      throw new IOException(
          "connection still open after the read timeout; received: \""
              + all.toString(StandardCharsets.ISO_8859_1)
              + "\"",
          open);
    } catch (java.net.SocketException reset) {
      // a reset after the answer is fine: keep what arrived
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  private static Reply parse(InputStream in) throws IOException {
    return parse(readToEof(in));
  }

  /** Parses the first answer in {@code text}. */
  public static Reply parse(String text) throws IOException {
    int split = text.indexOf("\r\n\r\n");
    if (split < 0) {
      throw new IOException("no complete HTTP answer: \"" + text + "\"");
    }
    String[] lines = text.substring(0, split).split("\r\n", -1);
    int status = Integer.parseInt(lines[0].split(" ", -1)[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.putIfAbsent(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    String body = text.substring(split + 4);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = dechunk(body);
    }
    return new Reply(
        status,
        headers,
        new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
  }

  private static String dechunk(String body) {
    StringBuilder out = new StringBuilder();
    int pos = 0;
    while (pos < body.length()) {
      int eol = body.indexOf("\r\n", pos);
      int size = Integer.parseInt(body.substring(pos, eol).trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(body, eol + 2, eol + 2 + size);
      pos = eol + 2 + size + 2;
    }
    return out.toString();
  }
}
