package io.bulwark.bench.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * A constant-rate, open-loop load generator that is safe from coordinated omission: request {@code
 * k} has the intended start time {@code start + k / rate}, is sent as soon as that time has passed
 * whatever happened to earlier requests (they may still be waiting for a connection or an answer),
 * and its latency is measured from the intended start, not from when it was sent. A stalled server
 * therefore shows as a queue of late requests, each charged its whole wait, rather than as a pause
 * in the load. Latencies go into an HdrHistogram (3 significant digits).
 *
 * <p>A pacing thread wakes at most once per interval and hands every due request to one Vert.x
 * event loop, which owns the keep-alive pool ({@code connections} HTTP/1.1 connections, no
 * pipelining, unbounded wait queue) and the histogram.
 */
final class OpenLoop implements AutoCloseable {
  /** One run: latency percentiles in microseconds, from the intended start. */
  record Result(long requests, long errors, double achievedRate, Histogram histogram) {
    double micros(double percentile) {
      return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Several runs at one rate as one: histograms added, rate averaged. */
    static Result merge(java.util.List<Result> runs) {
      Histogram all = new Histogram(MAX_TRACKED_NANOS, 3);
      long requests = 0;
      long errors = 0;
      double rate = 0;
      for (Result r : runs) {
        all.add(r.histogram());
        requests += r.requests();
        errors += r.errors();
        rate += r.achievedRate() / runs.size();
      }
      return new Result(requests, errors, rate, all);
    }
  }

  private static final long MAX_TRACKED_NANOS = TimeUnit.SECONDS.toNanos(60);

  /**
   * With {@code -Dbulwark.bench.openloop.trace=FILE}, every measured request is appended to FILE as
   * a line {@code port intended sent done} ({@code System.nanoTime()}, i.e. CLOCK_MONOTONIC, so a
   * {@code perf record -k mono} timeline lines up with it): for finding what a slow request met.
   */
  private static final @Nullable String TRACE = System.getProperty("bulwark.bench.openloop.trace");

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final io.vertx.core.Context context;

  OpenLoop(int connections) {
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setPipelining(false),
            new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    this.context = vertx.getOrCreateContext();
  }

  /**
   * Sends {@code rate} GET requests per second to {@code 127.0.0.1:port/} for {@code warmupSeconds
   * + seconds}; only requests whose intended start falls in the last {@code seconds} are recorded.
   */
  Result run(int port, int rate, int warmupSeconds, int seconds) throws Exception {
    if (rate < 1) {
      throw new IllegalArgumentException("rate must be at least 1 request/s, was " + rate);
    }
    Run run = new Run(port, rate, warmupSeconds);
    long total = (long) rate * (warmupSeconds + seconds);
    long i = 0;
    while (i < total) {
      long now = System.nanoTime();
      long due = now < run.start ? 0 : Math.min(total, (now - run.start) / run.periodNanos + 1);
      if (due > i) {
        long from = i;
        long to = due;
        context.runOnContext(v -> run.send(from, to));
        i = due;
      } else {
        LockSupport.parkNanos(run.start + i * run.periodNanos - now);
      }
    }
    context.runOnContext(v -> run.allSent());
    run.done.get(seconds + 120L, TimeUnit.SECONDS);
    run.writeTrace();
    long measured = run.histogram.getTotalCount();
    return new Result(measured, run.errors, (double) measured / seconds, run.histogram);
  }

  /** The state of one run; every field but the constants is touched only on the event loop. */
  private final class Run {
    final int port;
    final long periodNanos;
    final long start;
    final long measureFrom;
    final Histogram histogram = new Histogram(MAX_TRACKED_NANOS, 3);
    final CompletableFuture<Void> done = new CompletableFuture<>();
    long[] trace = TRACE == null ? new long[0] : new long[3 * 4096];
    int traced;
    long outstanding;
    long errors;
    boolean sentAll;

    Run(int port, int rate, int warmupSeconds) {
      this.port = port;
      this.periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
      this.start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
      this.measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
    }

    void send(long from, long to) {
      for (long k = from; k < to; k++) {
        long intended = start + k * periodNanos;
        long sent = TRACE == null ? 0 : System.nanoTime();
        outstanding++;
        client
            .request(HttpMethod.GET, port, "127.0.0.1", "/")
            .compose(HttpClientRequest::send)
            .compose(
                resp ->
                    resp.body()
                        .map(
                            body -> {
                              if (resp.statusCode() != 200) {
                                throw new IllegalStateException("status " + resp.statusCode());
                              }
                              return body;
                            }))
            .onComplete(
                ar -> {
                  long latency = System.nanoTime() - intended;
                  outstanding--;
                  if (ar.failed()) {
                    errors++;
                  } else if (intended >= measureFrom) {
                    histogram.recordValue(Math.min(latency, MAX_TRACKED_NANOS));
                    if (TRACE != null) {
                      trace(intended, sent, intended + latency);
                    }
                  }
                  maybeDone();
                });
      }
    }

    private void trace(long intended, long sent, long doneAt) {
      if (traced + 3 > trace.length) {
        trace = java.util.Arrays.copyOf(trace, trace.length * 2);
      }
      trace[traced++] = intended;
      trace[traced++] = sent;
      trace[traced++] = doneAt;
    }

    void writeTrace() {
      if (TRACE == null) {
        return;
      }
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < traced; i += 3) {
        b.append(port).append(' ').append(trace[i]).append(' ').append(trace[i + 1]).append(' ');
        b.append(trace[i + 2]).append('\n');
      }
      try {
        java.nio.file.Files.writeString(
            java.nio.file.Path.of(TRACE),
            b,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    void allSent() {
      sentAll = true;
      maybeDone();
    }

    private void maybeDone() {
      if (sentAll && outstanding == 0) {
        done.complete(null);
      }
    }
  }

  @Override
  public void close() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
