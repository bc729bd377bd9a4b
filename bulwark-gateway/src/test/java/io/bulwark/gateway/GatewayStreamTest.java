package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bodies through the gateway: gzip and brotli where negotiated (and only where it should be), and
 * back-pressure both ways (a slow reader keeps the bytes in flight bounded: the writer on the far
 * side is paused, measured as the gap between bytes written on one side and read on the other).
 */
class GatewayStreamTest {
  static final int MIB = 1024 * 1024;

  /** The upstream's sockets and the test client's sockets hold this much each, fixed. */
  static final int SOCKET_BUFFER = 64 * 1024;

  /**
   * What may legitimately be in flight on one direction of a proxied connection: the two peers'
   * fixed socket buffers, the gateway's two sockets at the kernel's autotuning maxima (one
   * receiving, one sending) and 8 MiB for the gateway's write queues. Derived from this machine's
   * kernel, because a fixed figure failed where {@code tcp_rmem} lets a receive buffer grow to 32
   * MiB.
   */
  static final long BOUND =
      2L * SOCKET_BUFFER
          + kernelMax("/proc/sys/net/ipv4/tcp_rmem", 6L * MIB)
          + kernelMax("/proc/sys/net/ipv4/tcp_wmem", 4L * MIB)
          + 8L * MIB;

  /** The body: at least twice the bound, so a gateway buffering it all cannot pass as bounded. */
  static final int BIG = (int) Math.max(64L * MIB, (2 * BOUND / MIB + 1) * MIB);

  static final byte[] TEXT =
      "the quick brown fox jumps over the lazy dog 0123456789\n"
          .repeat(80)
          .getBytes(StandardCharsets.US_ASCII);

  static Vertx vertx;
  static Upstream upstream;
  static Gateway gateway;

  /** HTTP/1.1 (the JDK client would otherwise upgrade to h2c, which H2C tests). */
  static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static final HttpClient H2C = HttpClient.newHttpClient(); // upgrades to h2c on first use

  // download: what the upstream wrote, what the client read, how often the upstream was paused
  static final AtomicLong written = new AtomicLong();
  static final AtomicLong clientRead = new AtomicLong();
  static final AtomicLong maxGap = new AtomicLong();
  static final AtomicLong lastWrite = new AtomicLong(System.nanoTime());
  static final AtomicBoolean downloadEnded = new AtomicBoolean();
  // upload
  static final AtomicLong received = new AtomicLong();
  static volatile HttpServerRequest sink;
  static final CompletableFuture<Void> sinkPaused = new CompletableFuture<>();
  static final AtomicInteger sinkDone = new AtomicInteger();
  // /halves: completed by the test once its client has read the first half
  static final CompletableFuture<Void> firstHalfRead = new CompletableFuture<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = new Upstream(vertx, "up", GatewayStreamTest::answer, SOCKET_BUFFER);
    gateway =
        Gateway.builder(
                ConfigLoader.withEnv(Map.of())
                    .parse(
                        """
                        listeners:
                          plain:
                            port: 0
                            max-body-bytes: 1073741824
                          gz:
                            port: 0
                            compression: {enabled: true, min-bytes: 1024}
                          br:
                            port: 0
                            compression: {enabled: true, min-bytes: 1024, brotli: true}
                        clusters:
                          up:
                            endpoints: [%s]
                            egress-allow: [loopback]
                        routes:
                          all:
                            match: {path-prefix: /}
                            cluster: up
                            timeout: 120s
                        admin:
                          port: 0
                        """
                            .formatted(upstream.endpoint()),
                        "stream.yaml",
                        GatewayConfig::bind))
            .vertx(vertx)
            .eventLoops(1)
            .start();
  }

  /** The maximum (third) figure of a {@code tcp_rmem}/{@code tcp_wmem} file, or the default. */
  static long kernelMax(String file, long fallback) {
    try {
      // readAllLines, not readString: /proc reports a size of 0 and readString returned one byte
      String line =
          java.nio.file.Files.readAllLines(java.nio.file.Path.of(file))
              .getFirst()
              .trim()
              .replace(' ', '\t');
      long max = Long.parseLong(line.substring(line.lastIndexOf('\t') + 1).trim());
      return max >= 4096 ? max : fallback; // no kernel lets a socket buffer less than a page
    } catch (java.io.IOException | RuntimeException e) {
      return fallback;
    }
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static void answer(HttpServerRequest req) {
    HttpServerResponse r = req.response();
    switch (req.path()) {
      case "/text" ->
          r.putHeader("content-type", "text/plain; charset=utf-8").end(Buffer.buffer(TEXT));
      case "/small" -> r.putHeader("content-type", "text/plain").end("short text");
      case "/png" -> r.putHeader("content-type", "image/png").end(Buffer.buffer(TEXT));
      case "/json-chunked" -> {
        r.setChunked(true).putHeader("content-type", "application/json");
        r.write(Buffer.buffer(TEXT));
        r.end(Buffer.buffer(TEXT));
      }
      case "/pre-gzipped" ->
          r.putHeader("content-type", "text/plain")
              .putHeader("content-encoding", "gzip")
              .end(Buffer.buffer(gzip(TEXT)));
      case "/halves" -> {
        // a fixed-length body in two writes; the second only once the client has the first
        r.putHeader("content-length", Integer.toString(2 * TEXT.length));
        r.write(Buffer.buffer(TEXT));
        var unused =
            firstHalfRead.thenRun(() -> vertx.runOnContext(v -> r.end(Buffer.buffer(TEXT))));
      }
      case "/big" -> download(r);
      case "/sink" -> upload(req);
      default -> r.setStatusCode(404).end();
    }
  }

  static byte[] gzip(byte[] in) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(b)) {
        z.write(in);
      }
      return b.toByteArray();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<byte[]> get(String path, String acceptEncoding) throws Exception {
    return get("gz", path, acceptEncoding);
  }

  static HttpResponse<byte[]> get(String listener, String path, String acceptEncoding)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port(listener) + path))
            .timeout(Duration.ofSeconds(20));
    if (acceptEncoding != null) {
      b.header("accept-encoding", acceptEncoding);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static byte[] gunzip(byte[] in) throws Exception {
    try (InputStream z = new GZIPInputStream(new ByteArrayInputStream(in))) {
      return z.readAllBytes();
    }
  }

  @Test
  void gzipWhereTheClientAcceptsItForCompressibleBodiesAboveTheThreshold() throws Exception {
    HttpResponse<byte[]> r = get("/text", "br;q=1.0, gzip;q=0.8");
    assertThat(r.headers().firstValue("content-encoding")).hasValue("gzip");
    assertThat(r.headers().allValues("vary")).contains("accept-encoding");
    assertThat(r.body().length).isLessThan(TEXT.length / 4);
    assertThat(gunzip(r.body())).isEqualTo(TEXT);

    HttpResponse<byte[]> chunked = get("/json-chunked", "gzip");
    assertThat(chunked.headers().firstValue("content-encoding")).hasValue("gzip");
    assertThat(gunzip(chunked.body())).hasSize(2 * TEXT.length);
  }

  /** Decodes with brotli4j's decoder (Google's C implementation), not the encoder's own code. */
  static byte[] unbrotli(byte[] in) throws Exception {
    com.aayushatharva.brotli4j.Brotli4jLoader.ensureAvailability();
    com.aayushatharva.brotli4j.decoder.DirectDecompress d =
        com.aayushatharva.brotli4j.decoder.Decoder.decompress(in);
    assertThat(d.getResultStatus())
        .isEqualTo(com.aayushatharva.brotli4j.decoder.DecoderJNI.Status.DONE);
    return d.getDecompressedData();
  }

  @Test
  void brotliWhereAcceptedPreferredOverGzipAndNeverWhereRefused() throws Exception {
    HttpResponse<byte[]> r = get("br", "/text", "gzip, deflate, br");
    assertThat(r.headers().firstValue("content-encoding")).hasValue("br");
    assertThat(r.headers().allValues("vary")).contains("accept-encoding");
    assertThat(r.body().length).isLessThan(TEXT.length / 4);
    assertThat(unbrotli(r.body())).isEqualTo(TEXT);

    HttpResponse<byte[]> chunked = get("br", "/json-chunked", "br");
    assertThat(chunked.headers().firstValue("content-encoding")).hasValue("br");
    assertThat(unbrotli(chunked.body())).hasSize(2 * TEXT.length);

    // brotli is chosen whenever the client accepts it (q > 0), whatever gzip's weight (Netty's
    // negotiation); q=0 refuses it
    HttpResponse<byte[]> lowBr = get("br", "/text", "br;q=0.5, gzip;q=1.0");
    assertThat(lowBr.headers().firstValue("content-encoding")).hasValue("br");
    assertThat(unbrotli(lowBr.body())).isEqualTo(TEXT);
    // br refused while gzip is accepted: Netty's encoder would still pick br, so the gateway
    // answers uncompressed rather than in a coding the client refused
    HttpResponse<byte[]> refusedBr = get("br", "/text", "gzip, br;q=0");
    assertThat(refusedBr.body()).isEqualTo(TEXT);
    assertThat(refusedBr.headers().firstValue("content-encoding").orElse("identity"))
        .isEqualTo("identity");
    for (String refused :
        new String[] {
          "br;q=0", "br;q=0, gzip;q=0", "identity", "deflate", "brotli", "xbr;q=1", "br;q=x"
        }) {
      HttpResponse<byte[]> plain = get("br", "/text", refused);
      assertThat(plain.body()).as(refused).isEqualTo(TEXT);
      assertThat(plain.headers().firstValue("content-encoding").orElse("identity"))
          .as(refused)
          .isEqualTo("identity");
    }
    // the same rules as gzip: small, not compressible or already encoded bodies pass as they are
    assertThat(get("br", "/small", "br").body())
        .isEqualTo("short text".getBytes(StandardCharsets.US_ASCII));
    assertThat(get("br", "/png", "br").body()).isEqualTo(TEXT);
    HttpResponse<byte[]> pre = get("br", "/pre-gzipped", "br, gzip");
    assertThat(pre.headers().allValues("content-encoding")).containsExactly("gzip");
    assertThat(pre.body()).isEqualTo(gzip(TEXT));
    // a listener without brotli never answers in it
    HttpResponse<byte[]> gzOnly = get("gz", "/text", "br");
    assertThat(gzOnly.body()).isEqualTo(TEXT);
  }

  @Test
  void overHttp2EachAnswerIsCompressedOrNotOnItsOwnAndDecodesToTheUpstreamsBytes()
      throws Exception {
    // on one h2c connection per listener: an answer left uncompressed (small, not compressible)
    // must not turn later answers' bodies plain while their head says gzip (a Vert.x bug before
    // 5.0.12 did, for the rest of the connection)
    for (String listener : new String[] {"gz", "br"}) {
      for (String path : new String[] {"/small", "/text", "/png", "/text", "/json-chunked"}) {
        HttpResponse<byte[]> r =
            H2C.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.port(listener) + path))
                    .header("accept-encoding", "br, gzip")
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        String what = listener + " " + path + " " + r.version();
        String encoding = r.headers().firstValue("content-encoding").orElse("identity");
        boolean compressible = path.equals("/text") || path.equals("/json-chunked");
        String expectedEncoding =
            !compressible ? "identity" : listener.equals("br") ? "br" : "gzip";
        assertThat(encoding).as(what).isEqualTo(expectedEncoding);
        byte[] body =
            switch (encoding) {
              case "gzip" -> gunzip(r.body());
              case "br" -> unbrotli(r.body());
              default -> r.body();
            };
        byte[] expected =
            switch (path) {
              case "/small" -> "short text".getBytes(StandardCharsets.US_ASCII);
              case "/json-chunked" ->
                  new String(TEXT, StandardCharsets.US_ASCII)
                      .repeat(2)
                      .getBytes(StandardCharsets.US_ASCII);
              default -> TEXT;
            };
        assertThat(body).as(what).isEqualTo(expected);
      }
    }
    HttpResponse<byte[]> last =
        H2C.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("gz") + "/text"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(last.version()).isEqualTo(HttpClient.Version.HTTP_2); // it was HTTP/2 all along
  }

  @Test
  void noCompressionWhenRefusedUnnegotiatedSmallOrNotCompressible() throws Exception {
    for (String refused : new String[] {"gzip;q=0", "deflate", "identity", "br"}) {
      HttpResponse<byte[]> r = get("/text", refused);
      assertThat(r.body()).as(refused).isEqualTo(TEXT);
      assertThat(r.headers().firstValue("content-encoding").orElse("identity"))
          .as(refused)
          .isEqualTo("identity");
    }
    assertThat(get("/text", null).body()).isEqualTo(TEXT);
    HttpResponse<byte[]> small = get("/small", "gzip");
    assertThat(small.body()).isEqualTo("short text".getBytes(StandardCharsets.US_ASCII));
    assertThat(small.headers().firstValue("content-encoding").orElse("identity"))
        .isEqualTo("identity");
    HttpResponse<byte[]> png = get("/png", "gzip");
    assertThat(png.body()).isEqualTo(TEXT);
    assertThat(png.headers().firstValue("content-encoding").orElse("identity"))
        .isEqualTo("identity");
  }

  @Test
  void anAlreadyEncodedResponseIsNeverCompressedAgain() throws Exception {
    HttpResponse<byte[]> r = get("/pre-gzipped", "gzip");
    assertThat(r.headers().allValues("content-encoding")).containsExactly("gzip");
    assertThat(r.body()).isEqualTo(gzip(TEXT)); // the upstream's bytes, once gzipped
    assertThat(gunzip(r.body())).isEqualTo(TEXT);
  }

  @Test
  void aChunkBeforeTheLastIsForwardedAtOnceAndTheLastComesWithTheEnd() throws Exception {
    // the gateway writes an answer's last chunk together with its end; any earlier chunk must
    // still reach the client before the upstream sends more (here: the upstream waits for it)
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("plain") + "/halves"))
            .timeout(Duration.ofSeconds(20))
            .build();
    HttpResponse<InputStream> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-length"))
        .hasValue(Integer.toString(2 * TEXT.length));
    try (InputStream in = r.body()) {
      assertThat(in.readNBytes(TEXT.length)).isEqualTo(TEXT);
      assertThat(firstHalfRead.isDone()).isFalse(); // the upstream has not sent the second half
      firstHalfRead.complete(null);
      assertThat(in.readAllBytes()).isEqualTo(TEXT);
    }
    // and a body that arrives whole (one last chunk) is whole, with its head, on the next request
    HttpResponse<byte[]> small = get("/small", null);
    assertThat(small.statusCode()).isEqualTo(200);
    assertThat(small.headers().firstValue("content-length")).hasValue("10");
    assertThat(new String(small.body(), StandardCharsets.US_ASCII)).isEqualTo("short text");
  }

  @Test
  void plainListenerDoesNotCompress() throws Exception {
    HttpResponse<byte[]> r =
        CLIENT.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.port("plain") + "/text"))
                .header("accept-encoding", "gzip")
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.body()).isEqualTo(TEXT);
    assertThat(r.headers().firstValue("content-encoding")).isEmpty();
  }

  // ---- back-pressure ----

  static void download(HttpServerResponse r) {
    r.putHeader("content-length", Integer.toString(BIG))
        .putHeader("content-type", "application/octet-stream");
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (written.get() < BIG) {
            r.write(chunk);
            long w = written.addAndGet(chunk.length());
            lastWrite.set(System.nanoTime());
            maxGap.accumulateAndGet(w - clientRead.get(), Math::max);
            if (r.writeQueueFull()) {
              r.drainHandler(v -> pump[0].run());
              return;
            }
          }
          r.end();
          downloadEnded.set(true);
        };
    pump[0].run();
  }

  /**
   * A client that reads 1 MiB and then stops reading: the upstream must end up paused (no write
   * progress for 500 ms) with a bounded number of bytes ahead of the client, not finish its {@link
   * #BIG} bytes into the gateway's memory; then the client reads the rest and gets every byte.
   */
  @Test
  void aSlowReadingClientPausesTheUpstreamAndTheBytesInFlightStayBounded() throws Exception {
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(SOCKET_BUFFER);
      s.setSoTimeout(60_000);
      s.connect(
          new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), gateway.port("plain")));
      RawHttp.send(s, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
      InputStream in = s.getInputStream();
      String head = RawHttp.readHead(in);
      assertThat(head).startsWith("HTTP/1.1 200").contains("content-length: " + BIG);
      long total = in.readNBytes(MIB).length;
      clientRead.addAndGet(total);
      // the stall: until the upstream is stuck (no write for 500 ms) or has written everything
      while (!downloadEnded.get()
          && System.nanoTime() - lastWrite.get() < TimeUnit.MILLISECONDS.toNanos(500)) {
        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // no marker for "stuck"
      }
      long ahead = written.get() - clientRead.get();
      assertThat(downloadEnded.get())
          .as("the upstream wrote everything to a stalled client")
          .isFalse();
      assertThat(ahead).as("bytes written by the upstream ahead of the client").isLessThan(BOUND);
      while (total < BIG) {
        byte[] step = in.readNBytes((int) Math.min(MIB, BIG - total));
        if (step.length == 0) {
          break;
        }
        total += step.length;
        clientRead.addAndGet(step.length);
      }
      assertThat(total).isEqualTo(BIG);
      assertThat(downloadEnded.get()).isTrue();
      assertThat(maxGap.get()).isLessThan(BOUND);
    }
  }

  static void upload(HttpServerRequest req) {
    sink = req;
    req.handler(
        b -> {
          long n = received.addAndGet(b.length());
          if (n >= MIB && !sinkPaused.isDone()) {
            req.pause();
            sinkPaused.complete(null);
          }
        });
    req.endHandler(
        v -> {
          sinkDone.incrementAndGet();
          req.response().end(Long.toString(received.get()));
        });
    req.resume();
  }

  /**
   * A client uploading {@link #BIG} bytes to an upstream that stops reading after 1 MiB: the
   * client's writes block (the gateway stops reading it) with a bounded gap; once the upstream
   * reads again the whole body arrives.
   */
  @Test
  void aSlowReadingUpstreamPausesTheUploadingClientAndTheBytesInFlightStayBounded()
      throws Exception {
    AtomicLong sent = new AtomicLong();
    AtomicLong lastProgress = new AtomicLong(System.nanoTime());
    try (Socket s = new Socket()) {
      s.setSendBufferSize(SOCKET_BUFFER);
      s.setSoTimeout(60_000);
      s.connect(
          new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), gateway.port("plain")));
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: " + BIG + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                  while (sent.get() < BIG) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                    lastProgress.set(System.nanoTime());
                  }
                  out.flush();
                } catch (java.io.IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      sinkPaused.get(60, TimeUnit.SECONDS);
      // the stall: until the writer is stuck (no progress for 500 ms) or has sent everything
      while (!writer.isDone()
          && System.nanoTime() - lastProgress.get() < TimeUnit.MILLISECONDS.toNanos(500)) {
        java.util.concurrent.locks.LockSupport.parkNanos(
            20_000_000L); // no marker exists for "stuck"
      }
      long gap = sent.get() - received.get();
      assertThat(writer.isDone())
          .as("the client could send everything to a paused upstream")
          .isFalse();
      assertThat(gap).as("bytes sent by the client ahead of the upstream").isLessThan(BOUND);
      vertx.runOnContext(v -> sink.resume());
      writer.get(60, TimeUnit.SECONDS);
      String answer = RawHttp.readResponse(s.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 200").endsWith(Integer.toString(BIG));
    }
    assertThat(sinkDone.get()).isOne();
  }
}
