package io.bulwark.http.internal;

import io.bulwark.core.time.Scheduler;
import io.bulwark.http.ServerConfig;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;

/**
 * The bridge from the exported {@code io.bulwark.http.wire.WireGuard} to the package-private {@link
 * AcceptHook}, {@link Http1Guard} and {@link ConnectionGuard}; not an API of its own (this package
 * is not exported).
 */
public final class WireGuards {
  private WireGuards() {}

  public static boolean available() {
    return AcceptHook.available();
  }

  /** The state one guarded listener's servers share. */
  public static Shared shared(
      Duration requestHeadTimeout,
      int maxConnections,
      int maxConnectionsPerAddress,
      HttpServerOptions options,
      Scheduler scheduler) {
    ServerConfig config =
        ServerConfig.builder()
            .requestHeadTimeout(requestHeadTimeout)
            .maxConnections(maxConnections)
            .maxConnectionsPerAddress(maxConnectionsPerAddress)
            .maxHeaderSize(options.getMaxHeaderSize())
            .maxInitialLineLength(options.getMaxInitialLineLength())
            .build();
    ConnectionGuard connections = new ConnectionGuard(config);
    connections.countAtAccept();
    return new Shared(config, new HttpServerOptions(options), scheduler, connections);
  }

  /** One listener's guard: its config, decoder options, timers and connection counts. */
  public static final class Shared {
    private final ServerConfig config;
    private final HttpServerOptions options;
    private final Scheduler scheduler;
    private final ConnectionGuard connections;

    Shared(
        ServerConfig config,
        HttpServerOptions options,
        Scheduler scheduler,
        ConnectionGuard connections) {
      this.config = config;
      this.options = options;
      this.scheduler = scheduler;
      this.connections = connections;
    }

    public boolean attach(HttpServer server) {
      return AcceptHook.attach(server, config, options, scheduler, connections);
    }
  }
}
