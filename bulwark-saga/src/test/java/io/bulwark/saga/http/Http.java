package io.bulwark.saga.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A loopback HTTP/1.1 client for the route tests, on a plain socket (the module does not read
 * {@code java.net.http}): one request per connection ({@code connection: close}), the answer read
 * to its end. Each call answers the status, the content type and the body as JSON.
 */
final class Http {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int TIMEOUT_MS = 30_000;
  private final int port;

  /** One answer. */
  record Answer(int status, JsonNode json, String contentType) {
    String text(String field) {
      return json.path(field).asText();
    }
  }

  Http(int port) {
    this.port = port;
  }

  Answer get(String pathAndQuery) throws IOException {
    return send("GET", pathAndQuery, null);
  }

  Answer post(String path, String body) throws IOException {
    return send("POST", path, body);
  }

  Answer post(String path) throws IOException {
    return send("POST", path, "");
  }

  private Answer send(String method, String target, String body) throws IOException {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    head.append("host: 127.0.0.1:").append(port).append("\r\nconnection: close\r\n");
    if (body != null) {
      head.append("content-type: application/json\r\ncontent-length: ")
          .append(content.length)
          .append("\r\n");
    }
    head.append("\r\n");
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(TIMEOUT_MS);
      OutputStream out = s.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
      return parse(readAll(s.getInputStream()));
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    return all.toByteArray();
  }

  private static Answer parse(byte[] raw) throws IOException {
    String text = new String(raw, StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IOException("no complete HTTP answer: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n", -1);
    int status = Integer.parseInt(lines[0].split(" ", -1)[1]);
    String contentType = "";
    boolean chunked = false;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].toLowerCase(Locale.ROOT);
      if (line.startsWith("content-type:")) {
        contentType = line.substring("content-type:".length()).trim();
      } else if (line.startsWith("transfer-encoding:") && line.contains("chunked")) {
        chunked = true;
      }
    }
    String body = text.substring(end + 4);
    if (chunked) {
      body = unchunk(body);
    }
    JsonNode json = body.isEmpty() ? MAPPER.missingNode() : MAPPER.readTree(body);
    return new Answer(status, json, contentType);
  }

  private static String unchunk(String body) {
    StringBuilder out = new StringBuilder();
    int pos = 0;
    while (true) {
      int eol = body.indexOf("\r\n", pos);
      int size = Integer.parseInt(body.substring(pos, eol).split(";", -1)[0].trim(), 16);
      if (size == 0) {
        return out.toString();
      }
      out.append(body, eol + 2, eol + 2 + size);
      pos = eol + 2 + size + 2;
    }
  }
}
