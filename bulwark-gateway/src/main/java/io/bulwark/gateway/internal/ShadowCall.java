package io.bulwark.gateway.internal;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.time.Clock;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.jspecify.annotations.Nullable;

/**
 * One mirrored request, driven from the event loop of the client's connection by the proxy. It
 * keeps a copy of the request body (up to the shadow's cap) while the primary streams, sends the
 * copy to the shadow cluster once the client's request has ended, keeps a copy of the primary's
 * answer body (same cap) while it streams to the client, and compares the two when both are
 * complete. Nothing here is ever waited for by the primary: the proxy only hands chunks over, and
 * every failure of the shadow ends here as a recorded outcome.
 */
final class ShadowCall {
  private final ShadowRuntime shadow;
  private final Vertx vertx;
  private final Clock clock;
  private final HttpMethod method;
  private final String uri;
  private final String correlationId;
  private final long cap;
  private final Buffer requestBody = Buffer.buffer();
  private final Buffer primaryBody = Buffer.buffer();
  private final Buffer shadowBody = Buffer.buffer();
  private @Nullable MultiMap headers;
  private boolean requestTooLarge;
  private boolean primaryTooLarge;
  private boolean shadowTooLarge;
  private boolean primaryDone;
  private boolean shadowDone;
  private boolean recorded;
  private boolean requested;
  private int primaryStatus = -1;
  private int shadowStatus = -1;
  private @Nullable String shadowFailure;
  private ShadowRuntime.Outcome failureOutcome = ShadowRuntime.Outcome.SHADOW_FAILED;

  ShadowCall(
      ShadowRuntime shadow,
      Vertx vertx,
      Clock clock,
      HttpMethod method,
      String uri,
      String correlationId) {
    this.shadow = shadow;
    this.vertx = vertx;
    this.clock = clock;
    this.method = method;
    this.uri = uri;
    this.correlationId = correlationId;
    this.cap = shadow.config.maxBodyBytes();
  }

  /** The headers as sent to the primary (the first attempt's); later calls are ignored. */
  void headers(MultiMap sent) {
    if (headers == null) {
      headers = MultiMap.caseInsensitiveMultiMap().addAll(sent);
    }
  }

  void requestChunk(Buffer chunk) {
    if (requestTooLarge) {
      return;
    }
    if (requestBody.length() + (long) chunk.length() > cap) {
      requestTooLarge = true;
      return;
    }
    requestBody.appendBuffer(chunk);
  }

  /** The client's request has ended: send the copy to the shadow. */
  void requestEnded() {
    if (recorded || requested) {
      return; // the primary already failed (nothing to compare), or already sent
    }
    requested = true;
    if (requestTooLarge) {
      finish(
          ShadowRuntime.Outcome.SKIPPED_BODY_TOO_LARGE,
          "the request body exceeds the shadow's max-body-bytes " + cap);
      return;
    }
    ClusterRuntime cluster = shadow.cluster;
    ClusterRuntime.Target t = cluster.pick(null);
    if (t == null) {
      shadowFailed("cluster " + cluster.config.name() + " has no usable endpoint");
      return;
    }
    long start = clock.nanoTime();
    long[] timer = {-1};
    t.state().onStart();
    RequestOptions o =
        new RequestOptions()
            .setMethod(method)
            .setServer(t.server())
            .setHost(cluster.verifiedHost(t))
            .setPort(t.port())
            .setURI(uri);
    timer[0] =
        vertx.setTimer(
            Math.max(1, shadow.config.timeout().toMillis()),
            id -> {
              timer[0] = -1;
              if (!shadowDone) {
                failureOutcome = ShadowRuntime.Outcome.SHADOW_TIMEOUT;
                cluster.red.record(Outcome.TIMEOUT, clock.nanoTime() - start);
                shadowFailed("no complete answer within " + shadow.config.timeout());
              }
            });
    cluster
        .client
        .request(o)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                done(cluster, t, start, timer, false);
                shadowFailed(String.valueOf(ar.cause().getMessage()));
                return;
              }
              HttpClientRequest req = ar.result();
              if (shadowDone) {
                req.reset();
                return;
              }
              MultiMap h = headers;
              if (h != null) {
                req.headers().addAll(h);
              }
              req.putHeader("bulwark-shadow", "true");
              req.putHeader("content-length", Integer.toString(requestBody.length()));
              req.response()
                  .onComplete(
                      rr -> {
                        if (rr.failed()) {
                          done(cluster, t, start, timer, false);
                          shadowFailed(String.valueOf(rr.cause().getMessage()));
                        } else {
                          read(cluster, t, start, timer, rr.result());
                        }
                      });
              req.end(requestBody);
            });
  }

  private void read(
      ClusterRuntime cluster,
      ClusterRuntime.Target t,
      long start,
      long[] timer,
      HttpClientResponse r) {
    if (shadowDone) {
      r.request().reset();
      return;
    }
    shadowStatus = r.statusCode();
    r.handler(
        chunk -> {
          if (shadowTooLarge || shadowBody.length() + (long) chunk.length() > cap) {
            shadowTooLarge = true;
          } else {
            shadowBody.appendBuffer(chunk);
          }
        });
    r.exceptionHandler(
        e -> {
          done(cluster, t, start, timer, false);
          shadowFailed(String.valueOf(e.getMessage()));
        });
    r.endHandler(
        v -> {
          if (shadowDone) {
            return;
          }
          done(cluster, t, start, timer, shadowStatus < 500);
          shadowDone = true;
          compare();
        });
  }

  private void done(
      ClusterRuntime cluster, ClusterRuntime.Target t, long start, long[] timer, boolean ok) {
    if (timer[0] >= 0) {
      vertx.cancelTimer(timer[0]);
      timer[0] = -1;
    }
    long latency = clock.nanoTime() - start;
    cluster.record(t, ok, latency);
    cluster.red.record(ok ? Outcome.SUCCESS : Outcome.ERROR, latency);
  }

  private void shadowFailed(String why) {
    if (shadowDone) {
      return;
    }
    shadowDone = true;
    shadowFailure = why;
    compare();
  }

  void primaryAnswer(int status) {
    primaryStatus = status;
  }

  void primaryChunk(Buffer chunk) {
    if (primaryTooLarge || primaryBody.length() + (long) chunk.length() > cap) {
      primaryTooLarge = true;
    } else {
      primaryBody.appendBuffer(chunk);
    }
  }

  void primaryEnded() {
    primaryDone = true;
    compare();
  }

  /** The primary failed (no answer from the upstream): nothing to compare. */
  void primaryFailed(int status, String why) {
    if (primaryDone) {
      return;
    }
    primaryDone = true;
    primaryStatus = status;
    finish(ShadowRuntime.Outcome.PRIMARY_FAILED, why);
  }

  private void compare() {
    if (!primaryDone || !shadowDone || recorded) {
      return;
    }
    String failure = shadowFailure;
    if (failure != null) {
      finish(failureOutcome, failure);
    } else if (primaryStatus != shadowStatus) {
      finish(ShadowRuntime.Outcome.STATUS_DIFF, "status " + primaryStatus + " vs " + shadowStatus);
    } else if (primaryTooLarge || shadowTooLarge) {
      finish(ShadowRuntime.Outcome.MATCH, "status equal; body over " + cap + " bytes not compared");
    } else {
      String diff =
          JsonDiff.compare(primaryBody.getBytes(), shadowBody.getBytes(), shadow.config.ignore());
      if (diff == null) {
        finish(ShadowRuntime.Outcome.MATCH, "same status and body");
      } else {
        finish(ShadowRuntime.Outcome.BODY_DIFF, diff);
      }
    }
  }

  private void finish(ShadowRuntime.Outcome outcome, String detail) {
    if (recorded) {
      return;
    }
    recorded = true;
    shadowDone = true;
    shadow.record(
        outcome,
        new ShadowRuntime.Sample(
            clock.instant(),
            correlationId,
            method.name(),
            uri,
            outcome.label(),
            primaryStatus,
            shadowStatus,
            detail));
  }
}
