package io.bulwark.http.client;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A local OTLP/HTTP trace collector for tests: accepts {@code POST /v1/traces} with a protobuf
 * {@code ExportTraceServiceRequest} on loopback and keeps the spans it decodes (metrics posted to
 * {@code /v1/metrics} are accepted and ignored). The decoder reads the protobuf wire format
 * directly, only the fields the tests look at (field numbers from the OTLP {@code trace.proto},
 * {@code resource.proto} and {@code common.proto}).
 */
final class OtlpCollector implements AutoCloseable {
  /** One received span; ids as lowercase hex, {@code parentSpanId} empty for a root. */
  record ReceivedSpan(
      String service,
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      int kind,
      Map<String, Object> attributes,
      List<String> linkedSpanIds) {}

  /** OTLP {@code Span.SpanKind} numbers. */
  static final int SERVER = 2;

  static final int CLIENT = 3;

  final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  OtlpCollector(Vertx vertx) throws Exception {
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              contentTypes.add(String.valueOf(req.getHeader("content-type")));
                              boolean ok = req.method().name().equals("POST");
                              if (ok && req.path().equals("/v1/traces")) {
                                spans.addAll(decodeRequest(body.getBytes()));
                              }
                              req.response()
                                  .setStatusCode(ok ? 200 : 404)
                                  .putHeader("content-type", "application/x-protobuf")
                                  .end(Buffer.buffer());
                            }));
    server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  java.net.URI endpoint() {
    return java.net.URI.create("http://127.0.0.1:" + server.actualPort());
  }

  @Override
  public void close() {
    server.close();
  }

  // ---- protobuf wire format ----

  static List<ReceivedSpan> decodeRequest(byte[] bytes) {
    List<ReceivedSpan> out = new ArrayList<>();
    Reader r = new Reader(bytes);
    while (r.more()) {
      int tag = r.varintInt();
      if (tag >>> 3 == 1) { // resource_spans
        resourceSpans(new Reader(r.bytes()), out);
      } else {
        r.skip(tag);
      }
    }
    return out;
  }

  private static void resourceSpans(Reader r, List<ReceivedSpan> out) {
    String service = "";
    List<byte[]> scopes = new ArrayList<>();
    while (r.more()) {
      int tag = r.varintInt();
      int field = tag >>> 3;
      if (field == 1) { // resource
        Object name = attributes(new Reader(r.bytes()), 1).get("service.name");
        service = String.valueOf(name);
      } else if (field == 2) { // scope_spans
        scopes.add(r.bytes());
      } else {
        r.skip(tag);
      }
    }
    for (byte[] scope : scopes) {
      Reader s = new Reader(scope);
      while (s.more()) {
        int tag = s.varintInt();
        if (tag >>> 3 == 2) { // spans
          out.add(span(service, new Reader(s.bytes())));
        } else {
          s.skip(tag);
        }
      }
    }
  }

  private static ReceivedSpan span(String service, Reader r) {
    String traceId = "";
    String spanId = "";
    String parent = "";
    String name = "";
    int kind = 0;
    Map<String, Object> attributes = new LinkedHashMap<>();
    List<String> links = new ArrayList<>();
    while (r.more()) {
      int tag = r.varintInt();
      switch (tag >>> 3) {
        case 1 -> traceId = HexFormat.of().formatHex(r.bytes());
        case 2 -> spanId = HexFormat.of().formatHex(r.bytes());
        case 4 -> parent = HexFormat.of().formatHex(r.bytes());
        case 5 -> name = new String(r.bytes(), StandardCharsets.UTF_8);
        case 6 -> kind = r.varintInt();
        case 9 -> attributes.putAll(keyValue(new Reader(r.bytes())));
        case 13 -> links.add(linkSpanId(new Reader(r.bytes())));
        default -> r.skip(tag);
      }
    }
    return new ReceivedSpan(service, traceId, spanId, parent, name, kind, attributes, links);
  }

  private static String linkSpanId(Reader r) {
    String spanId = "";
    while (r.more()) {
      int tag = r.varintInt();
      if (tag >>> 3 == 2) {
        spanId = HexFormat.of().formatHex(r.bytes());
      } else {
        r.skip(tag);
      }
    }
    return spanId;
  }

  /** The repeated {@code KeyValue} field number {@code field} of a message. */
  private static Map<String, Object> attributes(Reader r, int field) {
    Map<String, Object> out = new LinkedHashMap<>();
    while (r.more()) {
      int tag = r.varintInt();
      if (tag >>> 3 == field) {
        out.putAll(keyValue(new Reader(r.bytes())));
      } else {
        r.skip(tag);
      }
    }
    return out;
  }

  private static Map<String, Object> keyValue(Reader r) {
    String key = "";
    Object value = "";
    while (r.more()) {
      int tag = r.varintInt();
      if (tag >>> 3 == 1) {
        key = new String(r.bytes(), StandardCharsets.UTF_8);
      } else if (tag >>> 3 == 2) {
        value = anyValue(new Reader(r.bytes()));
      } else {
        r.skip(tag);
      }
    }
    return Map.of(key, value);
  }

  private static Object anyValue(Reader r) {
    Object value = "";
    while (r.more()) {
      int tag = r.varintInt();
      switch (tag >>> 3) {
        case 1 -> value = new String(r.bytes(), StandardCharsets.UTF_8);
        case 3 -> value = r.varint();
        default -> r.skip(tag);
      }
    }
    return value;
  }

  private static final class Reader {
    private final byte[] buf;
    private int pos;

    Reader(byte[] buf) {
      this.buf = buf;
    }

    boolean more() {
      return pos < buf.length;
    }

    long varint() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = buf[pos++];
        result |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return result;
        }
      }
      throw new IllegalArgumentException("varint longer than 10 bytes at " + pos);
    }

    int varintInt() {
      return (int) varint();
    }

    byte[] bytes() {
      int length = varintInt();
      byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + length);
      pos += length;
      return out;
    }

    void skip(int tag) {
      switch (tag & 7) {
        case 0 -> varint();
        case 1 -> pos += 8;
        case 2 -> {
          int length = varintInt(); // read first: "pos += varintInt()" would add to the old pos
          pos += length;
        }
        case 5 -> pos += 4;
        default -> throw new IllegalArgumentException("unsupported wire type in tag " + tag);
      }
    }
  }
}
