package io.bulwark.gateway;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.telemetry.Decisions;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.telemetry.Tracing;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Shared pieces of the traffic tests: loopback servers and decisions a test can wait for. */
final class TrafficHarness {
  private TrafficHarness() {}

  /** A request as an upstream saw it, with its whole body. */
  record Seen(String method, String uri, MultiMap headers, String body) {}

  static HttpServer server(Vertx vertx, Handler<HttpServerRequest> handler) throws Exception {
    return vertx
        .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(handler)
        .listen()
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  static String endpoint(HttpServer s) {
    return "127.0.0.1:" + s.actualPort();
  }

  static GatewayConfig parse(String yaml) {
    return ConfigLoader.withEnv(Map.of()).parse(yaml, "traffic.yaml", GatewayConfig::bind);
  }

  /**
   * Telemetry that records nothing but the decisions, each in a queue per component, so that a test
   * waits for the decision it expects instead of sleeping.
   */
  static final class Recording implements Telemetry, Decisions {
    private final Map<String, BlockingQueue<String>> queues = new ConcurrentHashMap<>();

    BlockingQueue<String> queue(String component) {
      return queues.computeIfAbsent(component, k -> new LinkedBlockingQueue<>());
    }

    /** The next decision ("decision reason") of {@code component}; fails after 10 s. */
    String next(String component) throws InterruptedException {
      String d = queue(component).poll(10, TimeUnit.SECONDS);
      if (d == null) {
        throw new AssertionError("no decision of " + component + " within 10 s");
      }
      return d;
    }

    @Override
    public RedRecorder endpoint(String name) {
      return Telemetry.noop().endpoint(name);
    }

    @Override
    public RedRecorder dependency(String name) {
      return Telemetry.noop().dependency(name);
    }

    @Override
    public Decisions decisions() {
      return this;
    }

    @Override
    public Tracing tracing() {
      return Telemetry.noop().tracing();
    }

    @Override
    public void record(String component, String decision, String reason) {
      queue(component).add(decision + " " + reason);
    }

    @Override
    public void circuitTransition(String breaker, String from, String to, String reason) {}

    @Override
    public void retry(String policy, int attempt, Duration backoff, @Nullable Throwable cause) {}

    @Override
    public void shed(String component, String reason) {}

    @Override
    public void faultInjected(String experiment, String fault) {}
  }
}
