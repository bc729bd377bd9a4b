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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
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
  static final BlockingQueue<AccessLogEntry> finished = new LinkedBlockingQueue<>();

  /** Holds gated handlers until every one of a burst has started, then lets them all go at once. */
  static final class Gate {
    final CountDownLatch arrived;
    final CountDownLatch open = new CountDownLatch(1);

    Gate(int parties) {
      arrived = new CountDownLatch(parties);
    }

    void pass() throws InterruptedException {
      arrived.countDown();
      if (!open.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate never opened");
      }
    }

    void awaitAllArrived() throws InterruptedException {
      assertThat(arrived.await(60, TimeUnit.SECONDS))
          .as("every handler of the burst started (%d still missing)", arrived.getCount())
          .isTrue();
    }
  }

  static volatile Gate gate = new Gate(0);

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(2)
            .listener(
                new ServerListener() {
                  @Override
                  public void onRequest(AccessLogEntry entry) {
                    finished.add(entry);
                  }
                })
            .get("/echo/{id}", HandOffStressTest::echo)
            .get("/gate/{id}", HandOffStressTest::gated)
            .get("/big/{id}", HandOffStressTest::big)
            .get("/mixed/{id}", HandOffStressTest::mixed)
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

  private static void noteThread() {
    handlerThreads.add(
        Thread.currentThread().isVirtual() ? "virtual" : Thread.currentThread().getName());
  }

  private static Response gated(Request r) throws InterruptedException {
    noteThread();
    gate.pass();
    return Response.json(expectedBody(Integer.parseInt(r.pathParam("id"))));
  }

  static final String BIG = "y".repeat(4 << 20);

  private static Response big(Request r) throws InterruptedException {
    noteThread();
    gate.pass();
    return Response.json(r.pathParam("id") + BIG);
  }

  /** One request in three throws, one in three refuses with a problem; the rest answer. */
  private static Response mixed(Request r) {
    Response answer = echo(r);
    int id = Integer.parseInt(r.pathParam("id"));
    if (id % 3 == 0) {
      throw new IllegalStateException("handler failed on purpose for " + id);
    }
    if (id % 3 == 1) {
      throw HttpProblem.conflict("conflict " + id);
    }
    return answer;
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

  @Test
  void aBurstOfHandlersOnManyConnectionsAllStartAndAllFinishInTheSameInstant() throws Exception {
    int n = 96;
    Gate g = new Gate(n);
    gate = g;
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
        s.setSoTimeout(30_000);
        sockets.add(s);
      }
      // all requests written back to back: the event loops read many of them in one turn
      for (int i = 0; i < n; i++) {
        sockets.get(i).getOutputStream().write(request("/gate/", 70_000 + i));
      }
      g.awaitAllArrived(); // every handler thread of the burst was started and runs at once
      g.open.countDown(); // ... and all of them answer in the same instant
      for (int i = 0; i < n; i++) {
        int id = 70_000 + i;
        Answer a = readAnswer(new BufferedInputStream(sockets.get(i).getInputStream()));
        assertThat(a).isEqualTo(new Answer(200, json(expectedBody(id)), "c-" + id));
      }
      // the connections stay usable: a second request on each, all pipelined together
      gate = new Gate(0);
      gate.open.countDown();
      for (int i = 0; i < n; i++) {
        sockets.get(i).getOutputStream().write(request("/gate/", 80_000 + i));
      }
      for (int i = 0; i < n; i++) {
        int id = 80_000 + i;
        Answer a = readAnswer(new BufferedInputStream(sockets.get(i).getInputStream()));
        assertThat(a).isEqualTo(new Answer(200, json(expectedBody(id)), "c-" + id));
      }
    } finally {
      g.open.countDown();
      for (Socket s : sockets) {
        s.close();
      }
    }
    assertThat(handlerThreads).containsExactly("virtual");
  }

  @Test
  void http2StreamsHeldTogetherThenReleasedAtOnceEachGetTheirOwnAnswer() throws Exception {
    int n = 100; // the server's limit of concurrent streams per connection (Vert.x's default)
    Gate g = new Gate(n);
    gate = g;
    try {
      List<CompletableFuture<String>> answers = sendH2("/gate/", 90_000, n);
      g.awaitAllArrived();
      g.open.countDown();
      for (int i = 0; i < n; i++) {
        int id = 90_000 + i;
        assertThat(answers.get(i).get(60, TimeUnit.SECONDS))
            .isEqualTo("HTTP_2 200 c-" + id + " " + json(expectedBody(id)));
      }
    } finally {
      g.open.countDown();
    }
    assertThat(handlerThreads).containsExactly("virtual");
  }

  @Test
  void throwingHandlersAmongAnsweringOnesOnPipelinedConnectionsEachGetTheirOwnAnswer()
      throws Exception {
    int connections = 4;
    int pipelined = 45;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<List<String>>> runs = new ArrayList<>();
      for (int c = 0; c < connections; c++) {
        int conn = c;
        runs.add(
            pool.submit(
                () -> {
                  List<String> problems = new ArrayList<>();
                  try (Socket socket =
                      new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                    socket.setSoTimeout(30_000);
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    for (int i = 0; i < pipelined; i++) {
                      all.write(request("/mixed/", 20_000 + conn * 1000 + i));
                    }
                    socket.getOutputStream().write(all.toByteArray());
                    InputStream in = new BufferedInputStream(socket.getInputStream());
                    for (int i = 0; i < pipelined; i++) {
                      int id = 20_000 + conn * 1000 + i;
                      Answer a = readAnswer(in);
                      boolean ok =
                          switch (id % 3) {
                            case 0 -> a.status == 500 && a.body.contains("internal_error");
                            case 1 -> a.status == 409 && a.body.contains("conflict " + id);
                            default -> a.status == 200 && a.body.equals(json(expectedBody(id)));
                          };
                      if (!ok || !("c-" + id).equals(a.correlationId)) {
                        problems.add("answer " + i + " for " + id + ": " + a);
                      }
                    }
                  }
                  return problems;
                }));
      }
      for (int c = 0; c < connections; c++) {
        assertThat(runs.get(c).get(60, TimeUnit.SECONDS)).as("connection %d", c).isEmpty();
      }
    }
    assertThat(handlerThreads).containsExactly("virtual");
  }

  @Test
  void clientsThatLeaveBeforeOrDuringTheirAnswerDoNotDisturbTheOthers() throws Exception {
    int each = 12; // leave before the answer, leave mid-answer, stay: 12 of each
    Gate g = new Gate(3 * each);
    gate = g;
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 3 * each; i++) {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096); // the 4 MiB answer cannot be buffered whole
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
        s.setSoTimeout(30_000);
        sockets.add(s);
        s.getOutputStream().write(request("/big/", 30_000 + i));
      }
      g.awaitAllArrived();
      for (int i = 0; i < each; i++) {
        Socket leaving = sockets.get(i);
        leaving.setSoLinger(true, 0); // reset, not a polite close
        leaving.close();
      }
      g.open.countDown();
      for (int i = each; i < 2 * each; i++) {
        Socket leaving = sockets.get(i);
        InputStream in = leaving.getInputStream();
        assertThat(line(in)).startsWith("HTTP/1.1 200");
        leaving.setSoLinger(true, 0);
        leaving.close(); // mid-answer: the rest of the 4 MiB body is still on its way
      }
      for (int i = 2 * each; i < 3 * each; i++) {
        int id = 30_000 + i;
        Answer a = readAnswer(new BufferedInputStream(sockets.get(i).getInputStream()));
        assertThat(a.status).isEqualTo(200);
        assertThat(a.correlationId).isEqualTo("c-" + id);
        assertThat(a.body).isEqualTo(json(id + BIG));
      }
    } finally {
      g.open.countDown();
      for (Socket s : sockets) {
        s.close();
      }
    }
    // the server still answers, and every one of the exchanges ended (logged once)
    Answer after;
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(request("/echo/", 7));
      after = readAnswer(new BufferedInputStream(s.getInputStream()));
    }
    assertThat(after).isEqualTo(new Answer(200, json(expectedBody(7)), "c-7"));
    List<String> logged = new ArrayList<>();
    while (logged.size() < 3 * each) {
      // an exchange ends on its handler thread, after its answer was handed over
      AccessLogEntry e = finished.poll(60, TimeUnit.SECONDS);
      assertThat(e).as("exchanges ended so far: %s", logged).isNotNull();
      if (e.route().equals("/big/{id}")) {
        logged.add(e.correlationId());
      }
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 3 * each; i++) {
      expected.add("c-" + (30_000 + i));
    }
    assertThat(logged).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static byte[] request(String path, int id) {
    return ("GET "
            + path
            + id
            + " HTTP/1.1\r\nHost: localhost\r\nbulwark-correlation-id: c-"
            + id
            + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static List<CompletableFuture<String>> sendH2(String path, int first, int n) {
    List<CompletableFuture<String>> answers = new ArrayList<>();
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    for (int i = 0; i < n; i++) {
      int id = first + i;
      CompletableFuture<String> out = new CompletableFuture<>();
      answers.add(out);
      ctx.runOnContext(
          v ->
              h2.request(
                      new RequestOptions()
                          .setMethod(HttpMethod.GET)
                          .setHost("127.0.0.1")
                          .setPort(server.port())
                          .setURI(path + id)
                          .putHeader("bulwark-correlation-id", "c-" + id))
                  .compose(
                      req -> {
                        Future<?> unused = req.end();
                        return req.response();
                      })
                  .compose(
                      (HttpClientResponse resp) ->
                          resp.body()
                              .map(
                                  b ->
                                      resp.version()
                                          + " "
                                          + resp.statusCode()
                                          + " "
                                          + resp.getHeader("bulwark-correlation-id")
                                          + " "
                                          + b.toString(StandardCharsets.UTF_8)))
                  .onComplete(
                      ar -> {
                        if (ar.succeeded()) {
                          out.complete(ar.result());
                        } else {
                          out.completeExceptionally(ar.cause());
                        }
                      }));
    }
    return answers;
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
