package io.bulwark.http.internal;

import io.bulwark.core.time.Scheduler;
import io.bulwark.http.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.KeyStoreOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening side of a server: one Vert.x server instance per event loop, all on one port, with
 * the HTTP/1.x wire guard attached where it can be (plain HTTP). Started once: the first {@link
 * #start} binds; a concurrent one waits for it on a future, holding no lock; a failed start may be
 * tried again.
 */
final class Listening {
  private static final Logger LOG = LoggerFactory.getLogger(Listening.class);

  private final ServerConfig config;
  private final ServerState state;
  private final Vertx vertx;
  private final Scheduler scheduler;
  private final int eventLoops;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final AtomicReference<@Nullable CompletableFuture<Boolean>> startup =
      new AtomicReference<>();
  private volatile boolean started;
  private volatile int port = -1;
  private volatile @Nullable ServerTls tls;

  Listening(
      ServerConfig config, ServerState state, Vertx vertx, Scheduler scheduler, int eventLoops) {
    this.config = config;
    this.state = state;
    this.vertx = vertx;
    this.scheduler = scheduler;
    this.eventLoops = eventLoops;
  }

  /** Checks the TLS files now (see {@link ServerTls#check}); null without TLS or no change. */
  @Nullable String reloadTls() {
    ServerTls t = tls;
    return t == null ? null : t.checkNow();
  }

  /** Stops watching the TLS files (at shutdown or kill). */
  void stopTls() {
    ServerTls t = tls;
    if (t != null) {
      t.stop();
    }
  }

  List<HttpServer> servers() {
    return servers;
  }

  boolean started() {
    return started;
  }

  int port() {
    return port;
  }

  void start(Handler<HttpServerRequest> requests, Handler<HttpServerRequest> invalid) {
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    CompletableFuture<Boolean> first = startup.compareAndExchange(null, mine);
    if (first != null) {
      first.join();
      return;
    }
    try {
      bind(requests, invalid);
      started = true;
      mine.complete(true);
    } catch (RuntimeException e) {
      startup.set(null);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private void bind(Handler<HttpServerRequest> requests, Handler<HttpServerRequest> invalid) {
    HttpServerOptions options = options();
    boolean guard = config.keyStore() == null && AcceptHook.available();
    if (guard) {
      state.connections.countAtAccept();
    }
    // a negative port is a random port shared by the servers that use the same negative value
    int bindPort =
        config.port() == 0 ? io.bulwark.http.wire.RandomPorts.nextShared() : config.port();
    for (int i = 0; i < eventLoops; i++) {
      HttpServer server =
          vertx
              .createHttpServer(options)
              .connectionHandler(state.connections::opened)
              .requestHandler(requests)
              .invalidRequestHandler(invalid)
              .exceptionHandler(e -> LOG.debug("connection error", e));
      port = await(server.listen(bindPort, config.host())).actualPort();
      servers.add(server);
    }
    if (config.keyStore() != null) {
      ServerTls watcher = new ServerTls(config, List.copyOf(servers), options.getSslOptions());
      watcher.start(scheduler);
      tls = watcher;
    }
    state.guarded =
        guard
            && servers.stream()
                .allMatch(s -> AcceptHook.attach(s, config, options, scheduler, state.connections));
    if (guard && !state.guarded) {
      state.connections.countAtFirstRequest();
    }
    if (config.keyStore() == null && !state.guarded) {
      LOG.warn(
          "HTTP/1.x wire guard not installed on port {}: no request-head timeout, and every"
              + " chunked HTTP/1.1 request closes its connection",
          port);
    }
  }

  private HttpServerOptions options() {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.host())
            .setMaxHeaderSize(config.maxHeaderSize())
            .setMaxInitialLineLength(config.maxInitialLineLength())
            .setHttp2ClearTextEnabled(true)
            .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()))
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    Path keyStore = config.keyStore();
    if (keyStore != null) {
      options
          .setSsl(true)
          .setUseAlpn(true)
          .setKeyCertOptions(
              new KeyStoreOptions()
                  .setType("PKCS12")
                  .setPath(keyStore.toString())
                  .setPassword(config.keyStorePassword()));
      Path clientCa = config.clientCa();
      if (clientCa != null) {
        options
            .setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED)
            .setTrustOptions(
                new io.vertx.core.net.PemTrustOptions().addCertPath(clientCa.toString()));
      }
    }
    return options;
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the server", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot start the HTTP server: " + e.getCause(), e);
    }
  }
}
