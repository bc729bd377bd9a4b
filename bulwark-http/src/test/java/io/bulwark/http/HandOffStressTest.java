package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Answers of handlers that run on virtual threads are handed to their connection's event loop:
 * under many concurrent handler threads finishing in any order, every answer reaches its own
 * request intact (status, body, echoed correlation id), pipelined HTTP/1.1 answers keep the request
 * order on a keep-alive connection, and concurrent HTTP/2 streams on one connection each get their
 * own answer.
 */
class HandOffStressTest {
  static final int CONNECTIONS = 8;
  static final int PIPELINED = 60;
  static final int STREAMS = 300;

  static Vertx vertx;
  static BulwarkServer server;
  static HttpClient h2;
  static final Set<String> handlerThreads = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(2)
            .listener(new ServerListener() {})
            .get("/echo/{id}", HandOffStressTest::echo)
            .build()
            .start();
    h2 =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false)
                .setHttp2MultiplexingLimit(STREAMS),
            new PoolOptions().setHttp2MaxSize(1));
  }

  @AfterAll
  static void stop() {
    server.shutdown();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  static volatile long sink;

  /** Finishes after a request-dependent amount of work, so handlers end out of order. */
  private static Response echo(Request r) {
    int id = Integer.parseInt(r.pathParam("id"));
    if (Thread.currentThread().isVirtual()) {
      handlerThreads.add("virtual");
    } else {
      handlerThreads.add(Thread.currentThread().getName());
    }
    long spin = id;
    for (int i = ((id * 7919) % 23) * 5_000; i > 0; i--) {
      spin = spin * 6364136223846793005L + 1442695040888963407L;
    }
    sink = spin;
    return Response.json(expectedBody(id));
  }

  static String expectedBody(int id) {
    return id + ":" + "x".repeat(id % 211);
  }

  static String json(String s) {
    return "\"" + s + "\"";
  }

  @Test
  void pipelinedKeepAliveAnswersStayIntactAndInOrder() throws Exception {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<List<String>>> runs = new ArrayList<>();
      for (int c = 0; c < CONNECTIONS; c++) {
        int conn = c;
        runs.add(pool.submit(() -> pipeline(conn)));
      }
      for (int c = 0; c < CONNECTIONS; c++) {
        List<String> problems = runs.get(c).get(60, TimeUnit.SECONDS);
        assertThat(problems).as("connection %d", c).isEmpty();
      }
    }
    assertThat(handlerThreads).containsExactly("virtual");
  }

  /** Writes all requests of one connection at once, then reads the answers in order. */
  private static List<String> pipeline(int conn) throws IOException {
    List<String> problems = new ArrayList<>();
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(30_000);
      StringBuilder all = new StringBuilder();
      for (int i = 0; i < PIPELINED; i++) {
        int id = conn * 1000 + i;
        all.append("GET /echo/")
            .append(id)
            .append(" HTTP/1.1\r\nHost: localhost\r\nbulwark-correlation-id: c-")
            .append(id)
            .append("\r\n\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(all.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      for (int i = 0; i < PIPELINED; i++) {
        int id = conn * 1000 + i;
        Answer a = readAnswer(in);
        if (a.status != 200
            || !a.body.equals(json(expectedBody(id)))
            || !("c-" + id).equals(a.correlationId)) {
          problems.add("answer " + i + " for " + id + ": " + a);
        }
      }
    }
    return problems;
  }

  record Answer(int status, String body, String correlationId) {}

  /** Reads one content-length framed HTTP/1.1 answer. */
  private static Answer readAnswer(InputStream in) throws IOException {
    String statusLine = line(in);
    int status = Integer.parseInt(statusLine.substring(9, 12));
    int length = -1;
    String correlation = "";
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        length = Integer.parseInt(value);
      } else if (name.equals("bulwark-correlation-id")) {
        correlation = value;
      }
    }
    assertThat(length).as("content-length of %s", statusLine).isNotNegative();
    byte[] body = in.readNBytes(length);
    assertThat(body).hasSize(length);
    return new Answer(status, new String(body, StandardCharsets.UTF_8), correlation);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed mid-answer after: " + b);
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  @Test
  void concurrentHttp2StreamsOnOneConnectionEachGetTheirOwnAnswer() throws Exception {
    List<CompletableFuture<String>> answers = new ArrayList<>();
    Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    for (int i = 0; i < STREAMS; i++) {
      int id = 50_000 + i;
      CompletableFuture<String> out = new CompletableFuture<>();
      answers.add(out);
      ctx.runOnContext(
          v ->
              h2.request(
                      new RequestOptions()
                          .setMethod(HttpMethod.GET)
                          .setHost("127.0.0.1")
                          .setPort(server.port())
                          .setURI("/echo/" + id)
                          .putHeader("bulwark-correlation-id", "c-" + id))
                  .compose(
                      req -> {
                        Future<?> unused = req.end();
                        return req.response();
                      })
                  .compose(
                      (HttpClientResponse resp) -> {
                        connections.add(resp.request().connection());
                        return resp.body()
                            .map(
                                b ->
                                    resp.version()
                                        + " "
                                        + resp.statusCode()
                                        + " "
                                        + resp.getHeader("bulwark-correlation-id")
                                        + " "
                                        + b.toString(StandardCharsets.UTF_8));
                      })
                  .onComplete(
                      ar -> {
                        if (ar.succeeded()) {
                          out.complete(ar.result());
                        } else {
                          out.completeExceptionally(ar.cause());
                        }
                      }));
    }
    for (int i = 0; i < STREAMS; i++) {
      int id = 50_000 + i;
      assertThat(answers.get(i).get(60, TimeUnit.SECONDS))
          .isEqualTo("HTTP_2 200 c-" + id + " " + json(expectedBody(id)));
    }
    assertThat(connections).hasSize(1);
    assertThat(handlerThreads).containsExactly("virtual");
  }
}
