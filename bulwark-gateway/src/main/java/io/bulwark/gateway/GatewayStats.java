package io.bulwark.gateway;

import java.util.List;

/**
 * A read-only snapshot of a running gateway for dashboards ({@link Gateway#stats()}): each route's
 * RED counts since start, each cluster's upstream attempts and endpoint health (ejections
 * included), and the history of config reloads. Counts are cumulative; a poller takes differences
 * for rates.
 *
 * @param configVersion the version of the config in force (1 at start, +1 per reload)
 * @param routes every route of the config in force, in config order
 * @param clusters every cluster of the config in force
 * @param reloads the most recent successful reloads (up to 50), oldest first
 */
public record GatewayStats(
    long configVersion, List<Route> routes, List<Cluster> clusters, List<Reload> reloads) {

  public GatewayStats {
    routes = List.copyOf(routes);
    clusters = List.copyOf(clusters);
    reloads = List.copyOf(reloads);
  }

  /**
   * One route's answers since the gateway started (counted by route name, so they carry over a
   * reload that keeps the name).
   *
   * @param name the route's name
   * @param target the cluster it proxies to, or {@code redirect LOCATION}, or {@code aggregate}
   * @param match how it matches ({@code prefix /api}, hosts and methods)
   * @param requests every answered request
   * @param errors answers counted as errors (5xx other than 503, and failed upstream exchanges)
   * @param timeouts requests that ran out of time
   * @param refused requests refused before or instead of the upstream: 429 from a rate limit, 503
   *     from an admission stage (concurrency limit) or an open route breaker
   * @param latencyNanosSum the sum of the answered requests' latencies
   */
  public record Route(
      String name,
      String target,
      String match,
      long requests,
      long errors,
      long timeouts,
      long refused,
      long latencyNanosSum) {

    /** Mean latency in milliseconds, 0 when nothing was answered. */
    public double meanLatencyMillis() {
      return requests == 0 ? 0 : latencyNanosSum / 1e6 / requests;
    }
  }

  /**
   * One upstream cluster: attempts the gateway made to it and its endpoints now.
   *
   * @param name the cluster's name
   * @param attempts upstream attempts (retries and hedges each count)
   * @param failures attempts that failed or timed out
   * @param endpoints its endpoints with their health
   */
  public record Cluster(String name, long attempts, long failures, List<Endpoint> endpoints) {
    public Cluster {
      endpoints = List.copyOf(endpoints);
    }

    /** Endpoints ejected by outlier detection now. */
    public long ejected() {
      return endpoints.stream().filter(e -> e.status().equals("ejected")).count();
    }
  }

  /**
   * One endpoint of a cluster.
   *
   * @param id its id
   * @param address its host address
   * @param status {@code healthy}, {@code unhealthy} (failing active health checks), {@code
   *     ejected} (outlier detection), or {@code refused: ...} (an egress rule refused its address)
   * @param inFlight requests in flight to it now
   */
  public record Endpoint(String id, String address, String status, int inFlight) {}

  /**
   * One successful reload.
   *
   * @param version the config version it put in force
   * @param atMillis when, in wall-clock epoch milliseconds (the gateway's clock)
   * @param changes what changed, one line per route, cluster or listener ({@code + route a})
   */
  public record Reload(long version, long atMillis, List<String> changes) {
    public Reload {
      changes = List.copyOf(changes);
    }
  }
}
