package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that ask for HTTP/2 on a cleartext URI by the RFC 7540 §3.2 upgrade ({@code Upgrade: h2c}
 * on an HTTP/1.1 request) get their answer: the server switches (101) and answers on HTTP/2 stream
 * 1, then serves the connection as HTTP/2. The JDK's client with its default settings does exactly
 * this, as does {@code curl --http2}. Every wait is bounded (20 s): a hang fails the test.
 */
class H2cUpgradeTest {
  static final String SETTINGS = "AAMAAABkAAQAAP__"; // max streams 100, window 65535
  static final Charset ISO = StandardCharsets.ISO_8859_1;

  /** The client connection preface, then an empty SETTINGS frame. */
  static final byte[] PREFACE = preface();

  static BulwarkServer server;
  static String base;

  @BeforeAll
  static void start() {
    server =
        BulwarkServer.builder()
            .eventLoops(1)
            .listener(new ServerListener() {})
            .get("/hello", r -> Response.text(200, "hello " + r.header("x-who")))
            .post("/echo", r -> Response.bytes(200, "application/octet-stream", r.body()))
            .build()
            .start();
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    server.shutdown();
  }

  private static <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  @Test
  void theJdkClientWithDefaultSettingsIsAnsweredOnHttp2AndKeepsTheConnection() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    try {
      assertThat(client.version()).isEqualTo(HttpClient.Version.HTTP_2);
      HttpRequest get =
          HttpRequest.newBuilder(URI.create(base + "/hello")).header("x-who", "jdk").build();
      HttpResponse<String> first =
          await(client.sendAsync(get, HttpResponse.BodyHandlers.ofString()));
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.body()).isEqualTo("hello jdk");
      assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
      // the upgraded connection goes on as HTTP/2: sequential, then concurrent streams on it
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r = await(client.sendAsync(get, HttpResponse.BodyHandlers.ofString()));
        assertThat(r.body()).isEqualTo("hello jdk");
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
      }
      List<CompletableFuture<HttpResponse<String>>> many = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        many.add(client.sendAsync(get, HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> f : many) {
        assertThat(await(f).body()).isEqualTo("hello jdk");
      }
    } finally {
      client.shutdownNow(); // a hung exchange must not hold the test past its bound
    }
  }

  @Test
  void theJdkClientWithDefaultSettingsPostsABody() throws Exception {
    byte[] body = pattern(100_000);
    HttpClient client = HttpClient.newHttpClient();
    try {
      for (int i = 0; i < 2; i++) { // the first may be the upgrade, the second is on its connection
        HttpRequest post =
            HttpRequest.newBuilder(URI.create(base + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<byte[]> r =
            await(client.sendAsync(post, HttpResponse.BodyHandlers.ofByteArray()));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(body);
      }
    } finally {
      client.shutdownNow();
    }
  }

  @Test
  void anUpgradeRequestWithABodyIsSwitchedAndAnsweredOnStreamOne() throws Exception {
    byte[] body = pattern(3000);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      String head =
          "POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: Upgrade, HTTP2-Settings\r\n"
              + "upgrade: h2c\r\nhttp2-settings: "
              + SETTINGS
              + "\r\ncontent-length: "
              + body.length
              + "\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
      out.write(PREFACE);
      out.flush();
      assertThat(readStreamOne(in)).isEqualTo(body);
    }
  }

  @Test
  void aChunkedUpgradeBodyIsSwitchedAndAMalformedChunkClosesTheConnection() throws Exception {
    String head =
        "POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: Upgrade, HTTP2-Settings\r\n"
            + "upgrade: h2c\r\nhttp2-settings: "
            + SETTINGS
            + "\r\ntransfer-encoding: chunked\r\n\r\n";
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write((head + "5\r\nhello\r\n0\r\n\r\n").getBytes(ISO));
      DataInputStream in = new DataInputStream(s.getInputStream());
      assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
      s.getOutputStream().write(PREFACE);
      assertThat(new String(readStreamOne(in), ISO)).isEqualTo("hello");
    }
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write((head + "5\r\nhello\r\nzz\r\n").getBytes(ISO));
      InputStream in = s.getInputStream();
      assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
      // the 101 is out: no HTTP/1.1 answer is possible, the connection closes (bounded wait)
      in.readAllBytes();
    }
  }

  @Test
  void anUpgradeThatFramingWouldRefuseIsIgnoredAndRefusedInHttp11() throws Exception {
    String upgrade =
        "connection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: " + SETTINGS;
    RawHttp.Reply both =
        RawHttp.send(
            server.port(),
            "POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                + upgrade
                + "\r\ncontent-length: 3\r\ntransfer-encoding: chunked",
            "3\r\nabc\r\n0\r\n\r\n".getBytes(ISO));
    ServerBasicsTest.assertError(both, 400, "bad_transfer_encoding");
    RawHttp.Reply noHost =
        RawHttp.send(server.port(), "GET /hello HTTP/1.1\r\n" + upgrade, new byte[0]);
    ServerBasicsTest.assertError(noHost, 400, "missing_host");
  }

  @Test
  void anUpgradeWithBadSettingsOrConnectionIsIgnoredAndAnsweredInHttp11() throws Exception {
    List<String> bad =
        List.of(
            "connection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: !!not-base64",
            "connection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: AAMAAABkAA",
            // SETTINGS_MAX_FRAME_SIZE = 1, below its minimum 16384
            "connection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: AAUAAAAB",
            "connection: Upgrade, HTTP2-Settings\r\nupgrade: h2c",
            "connection: Upgrade\r\nupgrade: h2c\r\nhttp2-settings: " + SETTINGS,
            "connection: keep-alive\r\nupgrade: h2c\r\nhttp2-settings: " + SETTINGS);
    for (String headers : bad) {
      RawHttp.Reply r =
          RawHttp.send(
              server.port(),
              "GET /hello HTTP/1.1\r\nhost: 127.0.0.1\r\nx-who: raw\r\n" + headers,
              new byte[0]);
      assertThat(r.status()).as(headers).isEqualTo(200);
      assertThat(r.body()).as(headers).isEqualTo("hello raw");
    }
  }

  @Test
  void curlHttp2UpgradesForGetAndPost() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl not installed: skipped");
    List<String> get = curl("--http2", "-H", "x-who: curl", base + "/hello");
    assertThat(get).containsExactly("hello curl", "200 2");
    List<String> post = curl("--http2", "--data-binary", "ping-pong", base + "/echo");
    assertThat(post).containsExactly("ping-pong", "200 2");
  }

  @Test
  void curlWithPriorKnowledgeStillSpeaksHttp2() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl not installed: skipped");
    List<String> get = curl("--http2-prior-knowledge", "-H", "x-who: pk", base + "/hello");
    assertThat(get).containsExactly("hello pk", "200 2");
  }

  /** Runs curl (bounded); its output: the body, then "status http_version". */
  private static List<String> curl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/curl", "-sS", "--max-time", "20"));
    cmd.addAll(List.of("-w", "\n%{http_code} %{http_version}"));
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("curl ended").isTrue();
    assertThat(p.exitValue()).as("curl exit code; output: %s", text).isZero();
    return List.of(text.split("\n"));
  }

  private static byte[] preface() {
    byte[] magic = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = Arrays.copyOf(magic, magic.length + 9);
    all[magic.length + 3] = 4; // type SETTINGS, length 0, flags 0, stream 0
    return all;
  }

  static byte[] pattern(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }

  /** Reads an HTTP/1.1 response head, up to and including its blank line. */
  static String readHead(InputStream in) throws IOException {
    StringBuilder text = new StringBuilder();
    while (!text.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before a whole head: " + text);
      }
      text.append((char) b);
    }
    return text.toString();
  }

  /**
   * Reads HTTP/2 frames until stream 1 ends; checks that its HEADERS say :status 200 and returns
   * its DATA.
   */
  static byte[] readStreamOne(DataInputStream in) throws Exception {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    boolean headersSeen = false;
    DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);
    while (true) {
      int length = (in.readUnsignedShort() << 8) | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = in.readNBytes(length);
      assertThat(payload).hasSize(length);
      assertThat(type).as("no RST_STREAM or GOAWAY").isNotIn(3, 7);
      if (stream != 1) {
        continue;
      }
      if (type == 1) {
        int pad = (flags & 0x8) != 0 ? payload[0] & 0xff : 0;
        int from = ((flags & 0x8) != 0 ? 1 : 0) + ((flags & 0x20) != 0 ? 5 : 0);
        ByteBuf block = Unpooled.wrappedBuffer(payload, from, payload.length - from - pad);
        assertThat(hpack.decodeHeaders(1, block).status()).hasToString("200");
        headersSeen = true;
      } else if (type == 0) {
        data.write(payload);
      }
      if ((flags & 1) != 0) {
        assertThat(headersSeen).isTrue();
        return data.toByteArray();
      }
    }
  }
}
