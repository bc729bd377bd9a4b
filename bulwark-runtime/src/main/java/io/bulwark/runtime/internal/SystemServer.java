package io.bulwark.runtime.internal;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.http.ServerConfig;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.ServiceDiscovery;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The runtime's own HTTP endpoint on the runtime's host (loopback by default): {@code GET /metrics}
 * (the system's metrics for Prometheus) and, for process-mode children, {@code GET
 * /control/discovery/{service}?caller=<service>} — the endpoints of {@code service} as {@code
 * caller} sees them through the partitions, one per line: {@code id host port key=value;key=value},
 * with their version in the header {@value #VERSION_HEADER}. With {@code
 * &since=<version>&wait=<ms>} it is a long poll: while the view still has that version the answer
 * waits (at most {@code wait}, capped at {@link #MAX_WAIT}) and comes as soon as the view changes —
 * a child learns of a change at once and asks nothing while nothing changes.
 */
final class SystemServer {
  /** The response header with the version of the answered view. */
  static final String VERSION_HEADER = "x-bulwark-discovery-version";

  /** The longest a long poll waits. */
  static final Duration MAX_WAIT = Duration.ofSeconds(30);

  private final BulwarkServer server;
  private final PartitionedDiscoveryLookup lookup;

  private SystemServer(BulwarkServer server, PartitionedDiscoveryLookup lookup) {
    this.server = server;
    this.lookup = lookup;
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
    return new SystemServer(server, lookup);
  }

  int port() {
    return server.port();
  }

  void close() {
    lookup.close(); // wakes the long polls first, so the drain does not wait for them
    server.shutdown();
  }

  /**
   * Answers a child's discovery question through the partitions. Each (caller, service) pair asked
   * for gets one subscription here, kept for the runtime's life; its view carries a version that
   * grows with every change.
   */
  private static final class PartitionedDiscoveryLookup {
    private final SystemParts parts;
    private final Partitions partitions;
    private final Map<String, View> views = new ConcurrentHashMap<>();
    private volatile boolean closed;

    PartitionedDiscoveryLookup(SystemParts parts, Partitions partitions) {
      this.parts = parts;
      this.partitions = partitions;
    }

    Response answer(Request req) throws InterruptedException {
      String service = req.pathParam("service");
      String caller = req.query("caller");
      if (caller == null || caller.isBlank()) {
        return Response.text(400, "query parameter caller is required\n");
      }
      long since;
      long waitMillis;
      try {
        since = number(req.query("since"), -1);
        waitMillis = Math.min(number(req.query("wait"), 0), MAX_WAIT.toMillis());
      } catch (IllegalArgumentException e) {
        return Response.text(400, e.getMessage() + "\n");
      }
      if (closed) {
        return Response.text(503, "the runtime is stopping\n");
      }
      View view = views.computeIfAbsent(caller + "\n" + service, k -> new View(caller, service));
      View.Seen seen = view.await(since, waitMillis);
      return Response.text(200, lines(seen.endpoints()))
          .header(VERSION_HEADER, Long.toString(seen.version()));
    }

    private static long number(@Nullable String v, long absent) {
      if (v == null) {
        return absent;
      }
      try {
        long n = Long.parseLong(v);
        if (n < 0) {
          throw new NumberFormatException("negative");
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "query parameters since and wait must be whole numbers >= 0, got " + v, e);
      }
    }

    private static String lines(List<Endpoint> endpoints) {
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
      return out.toString();
    }

    void close() {
      closed = true;
      for (View v : views.values()) {
        v.close();
      }
    }

    /** One caller's view of one service, kept current by a subscription. */
    private final class View {
      record Seen(List<Endpoint> endpoints, long version) {}

      private final ServiceDiscovery.Subscription subscription;
      private List<Endpoint> endpoints = List.of();
      private long version;
      private boolean ended;

      View(String caller, String service) {
        this.subscription =
            new PartitionedDiscovery(parts.registry, caller, partitions)
                .subscribe(service, this::changed);
      }

      private synchronized void changed(List<Endpoint> now) {
        if (version > 0 && now.equals(endpoints)) {
          return;
        }
        endpoints = List.copyOf(now);
        version++;
        notifyAll();
      }

      /** The view once its version differs from {@code since}, or after {@code waitMillis}. */
      synchronized Seen await(long since, long waitMillis) throws InterruptedException {
        long end = System.nanoTime() + waitMillis * 1_000_000;
        while (version == since && !ended) {
          long left = end - System.nanoTime();
          if (left <= 0) {
            break;
          }
          wait(Math.max(1, left / 1_000_000));
        }
        return new Seen(endpoints, version);
      }

      void close() {
        synchronized (this) {
          ended = true;
          notifyAll();
        }
        subscription.close(); // not under this monitor: a push holds the registry's, then ours
      }
    }
  }
}
