package io.bulwark.runtime.internal;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.http.ServerConfig;
import io.bulwark.http.discovery.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The runtime's own HTTP endpoint on the runtime's host (loopback by default): {@code GET /metrics}
 * (the system's metrics for Prometheus) and, for process-mode children, {@code GET
 * /control/discovery/{service}?caller=<service>} — the endpoints of {@code service} as {@code
 * caller} sees them through the partitions, one per line: {@code id host port key=value;key=value}.
 */
final class SystemServer {
  private final BulwarkServer server;

  private SystemServer(BulwarkServer server) {
    this.server = server;
  }

  static SystemServer start(
      SystemParts parts, String host, int port, Supplier<String> metrics, Partitions partitions) {
    PartitionedDiscoveryLookup lookup = new PartitionedDiscoveryLookup(parts, partitions);
    BulwarkServer server =
        BulwarkServer.builder()
            .config(
                ServerConfig.builder()
                    .host(host)
                    .port(port)
                    .drainBudget(Duration.ofSeconds(1))
                    .build())
            .vertx(parts.vertx)
            .scheduler(parts.scheduler)
            .listener(io.bulwark.http.ServerListener.none())
            .metrics("/metrics", req -> Response.text(200, metrics.get()))
            .get("/control/discovery/{service}", lookup::answer)
            .build();
    server.start();
    return new SystemServer(server);
  }

  int port() {
    return server.port();
  }

  void close() {
    server.shutdown();
  }

  /** Answers a child's discovery question through the partitions. */
  private record PartitionedDiscoveryLookup(SystemParts parts, Partitions partitions) {
    Response answer(Request req) {
      String service = req.pathParam("service");
      String caller = req.query("caller");
      if (caller == null || caller.isBlank()) {
        return Response.text(400, "query parameter caller is required\n");
      }
      List<Endpoint> endpoints =
          new PartitionedDiscovery(parts.registry, caller, partitions).endpoints(service);
      StringBuilder out = new StringBuilder();
      for (Endpoint e : endpoints) {
        out.append(e.id()).append(' ').append(e.host()).append(' ').append(e.port()).append(' ');
        boolean first = true;
        for (Map.Entry<String, String> m : e.metadata().entrySet()) {
          if (!first) {
            out.append(';');
          }
          first = false;
          out.append(m.getKey()).append('=').append(m.getValue());
        }
        out.append('\n');
      }
      return Response.text(200, out.toString());
    }
  }
}
