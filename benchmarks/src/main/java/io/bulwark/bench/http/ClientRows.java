package io.bulwark.bench.http;

import io.bulwark.core.time.SystemScheduler;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.HttpClients;
import io.bulwark.http.client.ServiceClient;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.VertxInternal;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The client rows of {@code bulwark bench http}: ONE {@link ServiceClient} shared by 64 virtual
 * threads doing {@code GET}s as fast as they can against a raw Vert.x server on 127.0.0.1, vs the
 * raw Vert.x {@code HttpClient} with the same pool size and HTTP version driven by the same 64
 * virtual threads, alternating rounds.
 *
 * <p>Both sides use one client-side Vert.x with its default event loops (as {@link HttpClients}
 * creates for itself) and a pool of 32 HTTP/1.1 keep-alive connections (the client's default pool
 * size). The ServiceClient is configured as a user would for the job, with nothing turned off: its
 * default pipeline (retry and circuit breaker with resilience's defaults) on, peak-EWMA balancing,
 * outlier detection, context headers sent, a client span id per attempt (no-op telemetry, as the
 * builder's default). The raw side issues every request correctly: on an event-loop context (one
 * per event loop, virtual thread {@code i} uses context {@code i mod loops}, the spread the
 * ServiceClient uses too), the caller blocking on the future. Every answer of both sides is checked
 * (status 200, the expected body length) and counted; a round with a wrong answer fails the
 * benchmark.
 */
final class ClientRows {
  private static final int THREADS = 64;
  private static final int POOL = 32;

  private ClientRows() {}

  /** Runs the rows; returns their metrics ({@code client_rps}, ..., {@code client_ratio}). */
  static Map<String, Double> run(List<String> args, PrintStream out) throws Exception {
    boolean quick = args.contains("--quick");
    int seconds = intArg(args, "--client-duration", quick ? 3 : 5);
    int rounds = intArg(args, "--rounds", quick ? 2 : 3);
    int loops = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    Vertx serverVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    Vertx clientVertx = Vertx.vertx();
    SystemScheduler scheduler = SystemScheduler.create();
    try {
      int port = startServer(serverVertx, loops);
      String url = "http://127.0.0.1:" + port;
      HttpClients clients =
          HttpClients.builder(scheduler)
              .vertx(clientVertx)
              .client("bench", url, ClientConfig.builder("bench").poolSize(POOL).build())
              .build();
      ServiceClient bulwark = clients.client("bench");
      RawClient raw = new RawClient(clientVertx, port);
      try {
        out.printf(
            Locale.ROOT,
            "client rows: %d virtual threads, one client each side, pool %d HTTP/1.1,"
                + " %d rounds x %d s, alternating%n",
            THREADS,
            POOL,
            rounds,
            seconds);
        Caller bulwarkCall =
            t -> {
              ClientResponse resp = bulwark.get("/json");
              return resp.status() == 200 ? resp.body().length : -resp.status();
            };
        Caller rawCall = raw::get;
        drive(rawCall, Math.max(1, seconds / 2)); // warm-up, discarded
        drive(bulwarkCall, Math.max(1, seconds / 2));
        List<Round> b = new ArrayList<>();
        List<Round> r = new ArrayList<>();
        double[] ratios = new double[rounds];
        for (int i = 0; i < rounds; i++) {
          r.add(drive(rawCall, seconds));
          b.add(drive(bulwarkCall, seconds));
          ratios[i] = b.get(i).rps / r.get(i).rps;
        }
        Round bm = Round.median(b);
        Round rm = Round.median(r);
        java.util.Arrays.sort(ratios); // the median of the rounds' ratios (mean of the middle two)
        double ratio = (ratios[(rounds - 1) / 2] + ratios[rounds / 2]) / 2;
        out.printf(
            Locale.ROOT,
            "%-24s %12s %10s %10s %8s%n",
            "client",
            "requests/s",
            "p50 ms",
            "p99 ms",
            "ratio");
        out.printf(
            Locale.ROOT,
            "%-24s %12.0f %10.2f %10.2f %8.3f%n",
            "vertx client (anchor)",
            rm.rps,
            rm.p50Millis,
            rm.p99Millis,
            1.0);
        out.printf(
            Locale.ROOT,
            "%-24s %12.0f %10.2f %10.2f %8.3f%n",
            "bulwark ServiceClient",
            bm.rps,
            bm.p50Millis,
            bm.p99Millis,
            ratio);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("client_rps", bm.rps);
        metrics.put("vertx_client_rps", rm.rps);
        metrics.put("client_p99_ms", bm.p99Millis);
        metrics.put("vertx_client_p99_ms", rm.p99Millis);
        metrics.put("client_ratio", ratio);
        return metrics;
      } finally {
        clients.close();
        raw.close();
      }
    } finally {
      scheduler.close();
      clientVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      serverVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Runs only the client rows: {@code java -cp benchmarks.jar ...ClientRows [--quick]}. */
  public static void main(String[] args) throws Exception {
    Map<String, Double> m = run(List.of(args), System.out);
    StringBuilder line = new StringBuilder("RESULT http-client");
    m.forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s=%.3f", k, v)));
    System.out.println(line);
  }

  /** One GET; returns the body length of the answer (status 200 checked by the caller side). */
  @FunctionalInterface
  private interface Caller {
    int call(int thread) throws Exception;
  }

  /** 64 virtual threads calling as fast as they can for {@code seconds}. */
  private static Round drive(Caller caller, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<java.util.concurrent.Future<Histogram>> workers = new ArrayList<>();
    long start = System.nanoTime();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        workers.add(
            threads.submit(
                () -> {
                  Histogram h = new Histogram(3);
                  while (true) {
                    long s = System.nanoTime();
                    if (s - end >= 0) {
                      return h;
                    }
                    int length = caller.call(thread);
                    if (length != BODY_LENGTH) {
                      throw new IllegalStateException("wrong answer: " + length + " bytes");
                    }
                    h.recordValue(System.nanoTime() - s);
                  }
                }));
      }
      Histogram all = new Histogram(3);
      for (java.util.concurrent.Future<Histogram> w : workers) {
        all.add(w.get());
      }
      double took = (System.nanoTime() - start) / 1e9;
      return new Round(
          all.getTotalCount() / took,
          all.getValueAtPercentile(50) / 1e6,
          all.getValueAtPercentile(99) / 1e6);
    }
  }

  private static final byte[] BODY = "{\"message\":\"Hello, World!\"}".getBytes();
  private static final int BODY_LENGTH = BODY.length;

  /** The server: a raw Vert.x JSON endpoint, one instance per event loop. */
  private static int startServer(Vertx vertx, int loops) throws Exception {
    int actual = -1;
    for (int i = 0; i < loops; i++) {
      actual =
          vertx
              .createHttpServer()
              .requestHandler(
                  req ->
                      req.response()
                          .putHeader("content-type", "application/json")
                          .end(Buffer.buffer(BODY)))
              .listen(-7919, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS)
              .actualPort();
    }
    return actual;
  }

  /**
   * The anchor: Vert.x's own client, pool {@value #POOL}, every exchange issued on an event-loop
   * context (one per event loop), the calling virtual thread blocking on its future.
   */
  private static final class RawClient {
    private final HttpClientAgent http;
    private final io.vertx.core.Context[] contexts;
    private final int port;

    RawClient(Vertx vertx, int port) {
      this.port = port;
      this.http =
          vertx.createHttpClient(
              new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(POOL));
      // one context per event loop (getOrCreateContext() from one outside thread would put them
      // all on the same event loop)
      VertxInternal internal = (VertxInternal) vertx;
      List<io.vertx.core.Context> list = new ArrayList<>();
      for (EventExecutor e : internal.nettyEventLoopGroup()) {
        list.add(internal.contextBuilder().withEventLoop((EventLoop) e).build());
      }
      this.contexts = list.toArray(io.vertx.core.Context[]::new);
    }

    int get(int thread) throws Exception {
      RequestOptions options =
          new RequestOptions()
              .setMethod(HttpMethod.GET)
              .setHost("127.0.0.1")
              .setPort(port)
              .setURI("/json");
      Promise<Integer> result = Promise.promise();
      contexts[thread % contexts.length].runOnContext(
          v ->
              http.request(options)
                  .compose(HttpClientRequest::send)
                  .compose(
                      resp ->
                          resp.statusCode() == 200
                              ? resp.body().map(Buffer::length)
                              : Future.succeededFuture(-resp.statusCode()))
                  .onComplete(result));
      return result.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    void close() throws Exception {
      http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static int intArg(List<String> args, String name, int fallback) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? Integer.parseInt(args.get(i + 1)) : fallback;
  }

  private record Round(double rps, double p50Millis, double p99Millis) {
    static Round median(List<Round> runs) {
      List<Round> sorted = new ArrayList<>(runs);
      sorted.sort((a, b) -> Double.compare(a.rps, b.rps));
      return sorted.get(sorted.size() / 2);
    }
  }
}
