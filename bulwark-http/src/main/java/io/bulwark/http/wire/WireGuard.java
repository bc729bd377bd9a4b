package io.bulwark.http.wire;

import io.bulwark.core.time.Scheduler;
import io.bulwark.http.internal.WireGuards;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * The wire guard {@code BulwarkServer} puts on its plain-HTTP connections, for other Vert.x HTTP
 * servers (the gateway's listeners). Attached to a listening server, it sees every accepted
 * connection before Vert.x decodes a byte of it and:
 *
 * <ul>
 *   <li>answers 408 and closes a connection whose request head is not complete {@code
 *       requestHeadTimeout} after its first byte, however steadily the bytes trickle in
 *       (slowloris);
 *   <li>decodes requests strictly: {@code content-length} beside {@code transfer-encoding} is kept
 *       for the server to refuse (Netty would drop it silently), an HTTP version other than 1.0 and
 *       1.1 is invalid, a malformed chunk gets 400 and the close;
 *   <li>answers 400 to a TLS handshake sent to the plain port;
 *   <li>counts connections at accept: one beyond {@code maxConnections} in all, or {@code
 *       maxConnectionsPerAddress} from one client IP, gets 503 at once and is closed.
 * </ul>
 *
 * One guard is shared by all the server instances of one listener (its connection counts are).
 * Plain HTTP only: a TLS server must not be attached.
 */
public final class WireGuard {
  private final WireGuards.Shared shared;
  private final Limits limits;

  /**
   * The limits of one guarded listener.
   *
   * @param requestHeadTimeout how long a request head may take from its first byte
   * @param maxConnections connections open at once on the listener
   * @param maxConnectionsPerAddress connections open at once from one client IP address
   */
  public record Limits(
      Duration requestHeadTimeout, int maxConnections, int maxConnectionsPerAddress) {
    public Limits {
      Objects.requireNonNull(requestHeadTimeout, "requestHeadTimeout");
      if (requestHeadTimeout.isNegative() || requestHeadTimeout.isZero()) {
        throw new IllegalArgumentException(
            "requestHeadTimeout must be > 0, was " + requestHeadTimeout);
      }
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be ≥ 1, was " + maxConnections);
      }
      if (maxConnectionsPerAddress < 1) {
        throw new IllegalArgumentException(
            "maxConnectionsPerAddress must be ≥ 1, was " + maxConnectionsPerAddress);
      }
    }

    /** Only the head timeout; no connection limit. */
    public static Limits headTimeout(Duration requestHeadTimeout) {
      return new Limits(requestHeadTimeout, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }
  }

  private WireGuard(Limits limits, HttpServerOptions options, Scheduler scheduler) {
    this.limits = limits;
    this.shared =
        WireGuards.shared(
            limits.requestHeadTimeout(),
            limits.maxConnections(),
            limits.maxConnectionsPerAddress(),
            options,
            scheduler);
  }

  /**
   * A guard for the servers of one listener, all created with {@code options} (their header and
   * request-line limits are the decoder's); timers run on {@code scheduler}.
   */
  public static WireGuard create(Limits limits, HttpServerOptions options, Scheduler scheduler) {
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(scheduler, "scheduler");
    if (options.isSsl()) {
      throw new IllegalArgumentException("the wire guard is for plain HTTP servers, not TLS ones");
    }
    return new WireGuard(limits, options, scheduler);
  }

  /** Whether this runtime lets the guard reach Vert.x's listening channel. */
  public static boolean available() {
    return WireGuards.available();
  }

  /**
   * Guards every connection {@code server} (listening) accepts from now on. Servers sharing a port
   * share one listening channel, hooked once. False when the channel cannot be reached (see {@link
   * #available()}): the server then runs unguarded.
   */
  public boolean attach(HttpServer server) {
    return shared.attach(server);
  }

  public Limits limits() {
    return limits;
  }
}
