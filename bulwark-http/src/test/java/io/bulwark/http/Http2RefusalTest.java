package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On HTTP/2 a refusal before the body is read refuses that stream only: a well-formed answer (no
 * connection-specific header, RFC 9113 §8.2.2), then the rest of a small announced body drained, or
 * RST_STREAM(NO_ERROR) if a larger body is still coming; the other streams of the multiplexed
 * connection complete. A request held in a handler on the same connection is the marker that the
 * connection survived.
 */
class Http2RefusalTest {
  static Vertx vertx;
  static BulwarkServer server;
  static HttpClient client;
  static final AtomicInteger gateCount = new AtomicInteger();
  static volatile CountDownLatch entered = new CountDownLatch(1);
  static volatile CountDownLatch release = new CountDownLatch(1);

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .listener(new ServerListener() {})
            .config(ServerConfig.builder().maxBodySize(1024).build())
            .get(
                "/held",
                r -> {
                  entered.countDown();
                  if (!release.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                  }
                  return Response.json("held");
                })
            .post("/echo", r -> Response.json(r.body().length))
            .get("/quick", r -> Response.json("quick"))
            .build()
            .start();
    client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false),
            new PoolOptions().setHttp2MaxSize(1));
  }

  @AfterAll
  static void stop() {
    release.countDown();
    server.shutdown();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  record Answer(int status, String body, List<String> connectionHeaders, HttpConnection conn) {}

  /** Runs a request on an event-loop context (as Vert.x 5 requires) and waits for its answer. */
  static Answer call(
      HttpMethod method,
      String path,
      Function<io.vertx.core.http.HttpClientRequest, Future<?>> send)
      throws Exception {
    CompletableFuture<Answer> out = new CompletableFuture<>();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v ->
                client
                    .request(
                        new RequestOptions()
                            .setMethod(method)
                            .setHost("127.0.0.1")
                            .setPort(server.port())
                            .setURI(path))
                    .compose(
                        req -> {
                          // a write may fail once the server refused the stream: the answer
                          // is what this test checks
                          Future<?> unused = send.apply(req);
                          return req.response();
                        })
                    .compose(
                        (HttpClientResponse resp) ->
                            resp.body()
                                .map(
                                    b ->
                                        new Answer(
                                            resp.statusCode(),
                                            b.toString(StandardCharsets.UTF_8),
                                            resp.headers().getAll("connection"),
                                            resp.request().connection())))
                    .onComplete(
                        ar -> {
                          if (ar.succeeded()) {
                            out.complete(ar.result());
                          } else {
                            out.completeExceptionally(ar.cause());
                          }
                        }));
    return out.get(20, TimeUnit.SECONDS);
  }

  static CompletableFuture<Answer> callAsync(HttpMethod method, String path) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return call(method, path, req -> req.end());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @Test
  void declaredTooLargeBodyRefusesTheStreamNotTheConnection() throws Exception {
    entered = new CountDownLatch(1);
    release = new CountDownLatch(1);
    CompletableFuture<Answer> held = callAsync(HttpMethod.GET, "/held");
    assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();

    // declared too large and the body never ends: the server must answer without reading it
    Answer refused =
        call(
            HttpMethod.POST,
            "/echo",
            req -> {
              req.putHeader("content-length", "5000");
              return req.write(Buffer.buffer("x".repeat(100)));
            });
    assertThat(refused.status()).isEqualTo(413);
    assertThat(refused.body()).contains("\"error\":\"body_too_large\"");
    assertThat(refused.connectionHeaders()).isEmpty();

    Answer after = call(HttpMethod.GET, "/quick", req -> req.end());
    assertThat(after.status()).isEqualTo(200);
    release.countDown();
    Answer heldAnswer = held.get(20, TimeUnit.SECONDS);
    assertThat(heldAnswer.status()).isEqualTo(200);
    assertThat(after.conn()).isSameAs(refused.conn()).isSameAs(heldAnswer.conn());
  }

  @Test
  void streamedTooLargeBodyRefusesTheStreamNotTheConnection() throws Exception {
    entered = new CountDownLatch(1);
    release = new CountDownLatch(1);
    CompletableFuture<Answer> held = callAsync(HttpMethod.GET, "/held");
    assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();

    Answer refused =
        call(
            HttpMethod.POST,
            "/echo",
            req -> {
              req.setChunked(true);
              return req.write(Buffer.buffer("x".repeat(2000)));
            });
    assertThat(refused.status()).isEqualTo(413);
    assertThat(refused.connectionHeaders()).isEmpty();

    release.countDown();
    Answer heldAnswer = held.get(20, TimeUnit.SECONDS);
    assertThat(heldAnswer.status()).isEqualTo(200);
    assertThat(heldAnswer.conn()).isSameAs(refused.conn());
  }

  @Test
  void expiredDeadlineWithABodyComingRefusesTheStreamOnly() throws Exception {
    Answer refused =
        call(
            HttpMethod.POST,
            "/echo",
            req -> {
              req.putHeader("bulwark-deadline", "0").putHeader("content-length", "10");
              return req.write(Buffer.buffer("12345"));
            });
    assertThat(refused.status()).isEqualTo(504);
    assertThat(refused.connectionHeaders()).isEmpty();
    Answer after = call(HttpMethod.GET, "/quick", req -> req.end());
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.conn()).isSameAs(refused.conn());
  }

  /** What a client saw of a refused stream: the answer, then how its own request body ended. */
  record Refusal(
      int status, CompletableFuture<@org.jspecify.annotations.Nullable Throwable> rest) {}

  /**
   * Declares {@code declared} body bytes and sends 100 of them; once the 413 has arrived, sends the
   * rest and ends the request. {@code rest} completes with null when the request ended normally, or
   * with the stream error the client saw (a reset).
   */
  static Refusal refuseThenFinish(int declared) throws Exception {
    CompletableFuture<Integer> status = new CompletableFuture<>();
    CompletableFuture<@org.jspecify.annotations.Nullable Throwable> rest =
        new CompletableFuture<>();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v ->
                client
                    .request(
                        new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setHost("127.0.0.1")
                            .setPort(server.port())
                            .setURI("/echo"))
                    .onFailure(status::completeExceptionally)
                    .onSuccess(
                        req -> {
                          req.exceptionHandler(rest::complete);
                          req.putHeader("content-length", Integer.toString(declared));
                          Future<?> unused = req.write(Buffer.buffer("x".repeat(100)));
                          req.response()
                              .onFailure(status::completeExceptionally)
                              .onSuccess(
                                  resp ->
                                      resp.body()
                                          .onComplete(
                                              b -> {
                                                status.complete(resp.statusCode());
                                                if (declared <= 65_535) {
                                                  // a round trip on the same connection first:
                                                  // a reset sent after the answer arrives before
                                                  // its answer, so the rest is sent after it
                                                  client
                                                      .request(
                                                          HttpMethod.GET,
                                                          server.port(),
                                                          "127.0.0.1",
                                                          "/quick")
                                                      .compose(q -> q.send())
                                                      .compose(HttpClientResponse::body)
                                                      .compose(
                                                          q ->
                                                              req.end(
                                                                  Buffer.buffer(
                                                                      "y".repeat(declared - 100))))
                                                      .onComplete(
                                                          ar ->
                                                              rest.complete(
                                                                  ar.succeeded()
                                                                      ? null
                                                                      : ar.cause()));
                                                }
                                              }));
                        }));
    return new Refusal(status.get(20, TimeUnit.SECONDS), rest);
  }

  /**
   * A refused body announced small enough to fit the stream window is drained after the answer: a
   * client that finishes sending it sees no stream error, whatever the timing (curl, for one, fails
   * a transfer whose stream is reset while it still writes).
   */
  @Test
  void aSmallAnnouncedBodyIsDrainedAfterTheRefusalNotReset() throws Exception {
    Refusal r = refuseThenFinish(5000);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.rest().get(20, TimeUnit.SECONDS)).isNull();
    Answer after = call(HttpMethod.GET, "/quick", req -> req.end());
    assertThat(after.status()).isEqualTo(200);
  }

  /** A refused body announced beyond the drain limit is not read: its stream is reset. */
  @Test
  void aLargeAnnouncedBodyIsResetAfterTheRefusal() throws Exception {
    Refusal r = refuseThenFinish(1_000_000);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.rest().get(20, TimeUnit.SECONDS))
        .isInstanceOf(io.vertx.core.http.StreamResetException.class);
    Answer after = call(HttpMethod.GET, "/quick", req -> req.end());
    assertThat(after.status()).isEqualTo(200);
  }

  /** curl (libnghttp2) must see a well-formed refusal: a protocol error fails the transfer. */
  @Test
  void curlSeesAWellFormedRefusal(@TempDir Path dir) throws Exception {
    assumeTrue(installed("curl", "HTTP2"), "curl with HTTP/2 is not installed (Debian: curl)");
    Path body = dir.resolve("body");
    Files.write(body, new byte[5000]);
    Tool curl =
        run(
            "curl",
            "-sS",
            "--http2-prior-knowledge",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--data-binary",
            "@" + body,
            "http://127.0.0.1:" + server.port() + "/echo");
    assertThat(curl.output()).isEqualTo("413");
    assertThat(curl.exit()).isZero();
  }

  /**
   * nghttp (Debian's nghttp2-client) sends both requests on one connection: the refused stream and
   * the other one are both answered, and the connection ends cleanly.
   */
  @Test
  void nghttpSeesTheOtherStreamAnswered(@TempDir Path dir) throws Exception {
    assumeTrue(installed("nghttp", "nghttp"), "nghttp is not installed (Debian: nghttp2-client)");
    Path body = dir.resolve("body");
    Files.write(body, new byte[5000]);
    String base = "http://127.0.0.1:" + server.port();
    Tool nghttp = run("nghttp", "-v", "-d", body.toString(), base + "/echo", base + "/quick");
    assertThat(nghttp.exit()).isZero();
    assertThat(nghttp.output())
        .containsOnlyOnce("] Connected")
        .contains(":status: 413")
        .contains(":status: 405") // /quick is a GET route; nghttp -d posts to every URI
        .doesNotContain("PROTOCOL_ERROR")
        .doesNotContain("recv GOAWAY");
  }

  record Tool(int exit, String output) {}

  private static Tool run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as(command[0] + " finished").isTrue();
    return new Tool(p.exitValue(), out);
  }

  private static boolean installed(String tool, String versionMustContain)
      throws InterruptedException {
    try {
      Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor(10, TimeUnit.SECONDS) && v.contains(versionMustContain);
    } catch (IOException e) {
      return false;
    }
  }
}
