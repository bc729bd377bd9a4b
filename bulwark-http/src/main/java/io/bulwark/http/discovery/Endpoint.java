package io.bulwark.http.discovery;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One network address of a service instance.
 *
 * @param id stable identity (default {@code host:port}); load balancers and outlier detection key
 *     their state by it
 * @param zone the availability zone, or null if unknown (used by zone preference)
 * @param metadata free-form labels (version, weight hints)
 */
public record Endpoint(
    String id, String host, int port, @Nullable String zone, Map<String, String> metadata) {

  public Endpoint {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    if (id.isBlank()) {
      throw new IllegalArgumentException("endpoint id must not be blank");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("endpoint host must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("endpoint port must be 1..65535, was " + port);
    }
    metadata = Map.copyOf(metadata);
  }

  /** {@code host:port} with id {@code host:port}, no zone. */
  public static Endpoint of(String host, int port) {
    return new Endpoint(host + ":" + port, host, port, null, Map.of());
  }

  /**
   * Parses {@code host:port}.
   *
   * @throws IllegalArgumentException naming the value if it is not {@code host:port}
   */
  public static Endpoint parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got \"" + hostPort + "\"");
    }
    try {
      return of(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected host:port, got \"" + hostPort + "\"");
    }
  }

  /** This endpoint in {@code zone}. */
  public Endpoint withZone(String zone) {
    return new Endpoint(id, host, port, zone, metadata);
  }
}
