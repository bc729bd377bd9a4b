package io.bulwark.gateway.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultSite;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's chaos injection point ({@link FaultPointKind#GATEWAY_UPSTREAM}): one upstream
 * attempt of a route, decided with the site's service = the route's cluster, instance = the chosen
 * endpoint, route = the gateway route's name, and the attempt number (so a retry is decided anew by
 * default). Runs only while a fault is active ({@link io.bulwark.core.fault.FaultPoints#injector()}
 * non-null); everything here is on the exchange's event loop and never blocks it:
 *
 * <ul>
 *   <li>latency: the attempt is sent after the delay, waited on the injector's scheduler (the
 *       route's timeout keeps running);
 *   <li>http-error: the attempt is answered with the status as if the upstream had (recorded
 *       against the endpoint, retried when the route retries that status);
 *   <li>exception: the attempt fails as a connection failure would;
 *   <li>blackhole: nothing is sent; the route's timeout answers 504;
 *   <li>slow-body / truncated-body: the upstream's answer is streamed down paced at the fault's
 *       rate or cut after the kept bytes (the client's stream is reset).
 * </ul>
 */
final class UpstreamFaults {
  private static final ContextHeaders BAGGAGE_ONLY = ContextHeaders.builder().build();
  private static final long BLACKHOLE_GRACE_MS = 5;
  private static final long SLICE_NANOS = 50_000_000L; // pace slow bodies in 50 ms slices

  private UpstreamFaults() {}

  /**
   * The fault for this attempt, or null; the request's W3C baggage (its chaos cohort) is read only
   * here, while a fault is active.
   */
  static @Nullable FaultAction decide(
      FaultInjector faults,
      HttpServerRequest req,
      Context incoming,
      String cluster,
      String endpoint,
      String route,
      int attempt) {
    Context ctx = withBaggage(incoming, req);
    FaultSite site =
        new FaultSite(FaultPointKind.GATEWAY_UPSTREAM, cluster, endpoint, route, attempt);
    try {
      return ctx.call(() -> faults.decide(site));
    } catch (Exception e) {
      return null; // decide never throws (FaultInjector's contract)
    }
  }

  /** {@code incoming} with the request's W3C baggage (none when the header is malformed). */
  static Context withBaggage(Context incoming, HttpServerRequest req) {
    String baggage = req.getHeader(ContextHeaders.BAGGAGE);
    if (baggage == null) {
      return incoming;
    }
    try {
      return incoming.withBaggage(
          BAGGAGE_ONLY.extract(n -> n.equals(ContextHeaders.BAGGAGE) ? baggage : null).baggage());
    } catch (RuntimeException e) {
      return incoming; // a malformed baggage header carries no cohort
    }
  }

  /**
   * The chaos cohort of a request (its W3C baggage's {@code chaos.experiment}, see {@link
   * io.bulwark.core.fault.ChaosCohort}); called only while a fault is active.
   */
  static String cohort(FaultInjector faults, HttpServerRequest req) {
    return faults.cohort(
        withBaggage(Context.root(), req).baggage().get(io.bulwark.core.fault.FaultTag.EXPERIMENT));
  }

  /**
   * Applies {@code fault} before the attempt is sent: calls exactly one of {@code send} (now or
   * after a delay), {@code fail}, {@code status}, or nothing (blackhole: the route's timer
   * answers); body faults call {@code send} and act later in {@link #pipeBody}.
   */
  static void before(
      FaultAction fault,
      FaultInjector faults,
      Vertx vertx,
      TelemetrySpan attemptSpan,
      Duration routeTimeout,
      BooleanSupplier done,
      Runnable send,
      Consumer<Throwable> fail,
      IntConsumer status) {
    fault.tag().tag(attemptSpan);
    switch (fault) {
      case FaultAction.Delay d -> {
        // waited on the injector's scheduler (virtual time in tests), then back on the event loop
        io.vertx.core.Context loop = vertx.getOrCreateContext();
        faults
            .scheduler()
            .schedule(
                d.nanos(),
                () ->
                    loop.runOnContext(
                        v -> {
                          if (!done.getAsBoolean()) {
                            send.run();
                          } else {
                            // the route's timeout answered during the delay: close the books
                            fail.accept(
                                new java.util.concurrent.TimeoutException(
                                    "the route timed out during the delay of chaos fault "
                                        + d.tag().faultId()));
                          }
                        }));
      }
      case FaultAction.Status s -> status.accept(s.status());
      case FaultAction.Raise r -> fail.accept(r.error());
      case FaultAction.Blackhole b ->
          // nothing is sent: the route's timeout answers 504 first; just after it the attempt is
          // closed as a silent upstream's would be (endpoint, cluster RED, span)
          vertx.setTimer(
              Math.max(1, routeTimeout.toMillis()) + BLACKHOLE_GRACE_MS,
              id ->
                  fail.accept(
                      new java.util.concurrent.TimeoutException(
                          "blackhole of chaos fault " + b.tag().faultId())));
      default -> send.run(); // body faults act on the answer; others do not apply here
    }
  }

  /**
   * Streams {@code up}'s body down through a body fault; returns false (the caller streams as
   * usual) when {@code fault} is not one. {@code cut} is called when the answer is cut short,
   * {@code ended} when it was sent whole (paced).
   */
  static boolean pipeBody(
      @Nullable FaultAction fault,
      Vertx vertx,
      UpstreamAnswer up,
      HttpServerResponse resp,
      Consumer<Throwable> cut,
      Runnable ended) {
    if (fault instanceof FaultAction.TruncateBody t) {
      truncate(t, up, resp, cut, ended);
      return true;
    }
    if (fault instanceof FaultAction.SlowBody s) {
      new SlowPipe(s.bytesPerSecond(), vertx, up, resp, cut, ended).start();
      return true;
    }
    return false;
  }

  private static void truncate(
      FaultAction.TruncateBody t,
      UpstreamAnswer up,
      HttpServerResponse resp,
      Consumer<Throwable> cut,
      Runnable ended) {
    long[] left = {t.keepBytes()};
    boolean[] stopped = {false};
    Runnable stop =
        () -> {
          stopped[0] = true;
          up.reset();
          resp.reset();
          cut.accept(
              new java.io.IOException(
                  "body truncated after "
                      + t.keepBytes()
                      + " bytes by chaos fault "
                      + t.tag().faultId()));
        };
    up.handler(
        chunk -> {
          if (stopped[0]) {
            return;
          }
          if (chunk.length() >= left[0]) {
            if (left[0] > 0) {
              resp.write(chunk.slice(0, (int) left[0]));
            }
            left[0] = 0;
            stop.run();
            return;
          }
          left[0] -= chunk.length();
          resp.write(chunk);
        });
    up.exceptionHandler(
        e -> {
          if (!stopped[0]) {
            stopped[0] = true;
            resp.reset();
            cut.accept(e);
          }
        });
    up.endHandler(
        () -> {
          if (!stopped[0]) {
            // the whole body fitted in the kept bytes: nothing to cut
            resp.end();
            ended.run();
          }
        });
  }

  /** Sends the upstream's body down at a fixed rate, in slices, pausing the upstream meanwhile. */
  private static final class SlowPipe {
    final Vertx vertx;
    final UpstreamAnswer up;
    final HttpServerResponse resp;
    final Consumer<Throwable> cut;
    final Runnable ended;
    final int sliceBytes;
    final long sliceMillis;
    final ArrayDeque<Buffer> queue = new ArrayDeque<>();
    boolean upstreamEnded;
    boolean ticking;
    boolean finished;

    SlowPipe(
        long bytesPerSecond,
        Vertx vertx,
        UpstreamAnswer up,
        HttpServerResponse resp,
        Consumer<Throwable> cut,
        Runnable ended) {
      this.vertx = vertx;
      this.up = up;
      this.resp = resp;
      this.cut = cut;
      this.ended = ended;
      this.sliceBytes =
          (int) Math.max(1, Math.min(1 << 20, bytesPerSecond * SLICE_NANOS / 1_000_000_000L));
      this.sliceMillis = Math.max(1, sliceBytes * 1000L / bytesPerSecond);
    }

    void start() {
      up.handler(
          chunk -> {
            queue.add(chunk);
            up.pause();
            tick();
          });
      up.exceptionHandler(
          e -> {
            if (!finished) {
              finished = true;
              resp.reset();
              cut.accept(e);
            }
          });
      up.endHandler(
          () -> {
            upstreamEnded = true;
            tick();
          });
    }

    /** Writes one slice now and schedules the next one, or ends when all is written. */
    void tick() {
      if (ticking || finished) {
        return;
      }
      if (resp.closed()) {
        finished = true; // the client went away: the exchange is already ending
        return;
      }
      Buffer head = queue.peek();
      if (head == null) {
        if (upstreamEnded) {
          finished = true;
          resp.end();
          ended.run();
        } else {
          up.resume();
        }
        return;
      }
      ticking = true;
      int n = Math.min(sliceBytes, head.length());
      resp.write(head.slice(0, n));
      queue.poll();
      if (n < head.length()) {
        queue.addFirst(head.slice(n, head.length()));
      }
      vertx.setTimer(
          sliceMillis,
          id -> {
            ticking = false;
            tick();
          });
    }
  }
}
