package io.bulwark.http;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of a {@link BulwarkServer}. Built by {@link #builder()}, whose setters
 * validate and name the bad value, or bound from YAML with {@link #bind(ConfigReader)}:
 *
 * <pre>{@code
 * host: 127.0.0.1
 * port: 8080
 * max-body-size: 1048576      # bytes; larger bodies get 413
 * max-header-size: 8192       # bytes; larger header blocks get 431
 * drain-budget: 10s          # graceful shutdown waits this long for in-flight requests
 * max-deadline: 60s          # longest deadline trusted from a caller
 * default-deadline: 5s       # deadline for requests that carry none (optional)
 * retry-after: 1s            # Retry-After on 503 when shedding
 * idle-timeout: 60s          # a connection with no byte in or out for this long is closed
 * request-head-timeout: 10s   # an HTTP/1.x request head must be complete this long after it began
 * max-connections: 10000     # open connections, all clients; beyond: 503 and close
 * max-connections-per-address: 1000   # open connections from one client IP address
 * tls: {key-store: server.p12, password: secret}   # optional, PKCS#12
 *   # client-ca: workloads-ca.pem   # inside tls: require a client certificate from this CA (mTLS)
 *   # reload-interval: 10s          # inside tls: how often the files are read again (renewal)
 * authorization:             # optional, needs tls.client-ca: which workloads may call which routes
 *   read-orders: {routes: ["/orders/{id}"], methods: [GET], peers: ["spiffe://shop/bff"]}
 * service: inventory        # the service and instance this server is, as fault injection's
 * instance: inventory-1     # blast radius names them (optional)
 * }</pre>
 */
public final class ServerConfig {
  private final String host;
  private final int port;
  private final int maxBodySize;
  private final int maxHeaderSize;
  private final int maxInitialLineLength;
  private final Duration drainBudget;
  private final Duration maxDeadline;
  private final @Nullable Duration defaultDeadline;
  private final Duration retryAfter;
  private final Duration idleTimeout;
  private final Duration requestHeadTimeout;
  private final int maxConnections;
  private final int maxConnectionsPerAddress;
  private final @Nullable Path keyStore;
  private final String keyStorePassword;
  private final @Nullable Path clientCa;
  private final Duration tlsReloadInterval;
  private final @Nullable AuthorizationPolicy authorization;
  private final String service;
  private final String instance;

  private ServerConfig(Builder b) {
    this.service = b.service;
    this.instance = b.instance;
    this.host = b.host;
    this.port = b.port;
    this.maxBodySize = b.maxBodySize;
    this.maxHeaderSize = b.maxHeaderSize;
    this.maxInitialLineLength = b.maxInitialLineLength;
    this.drainBudget = b.drainBudget;
    this.maxDeadline = b.maxDeadline;
    this.defaultDeadline = b.defaultDeadline;
    this.retryAfter = b.retryAfter;
    this.idleTimeout = b.idleTimeout;
    this.requestHeadTimeout = b.requestHeadTimeout;
    this.maxConnections = b.maxConnections;
    this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
    this.keyStore = b.keyStore;
    this.keyStorePassword = b.keyStorePassword;
    this.clientCa = b.clientCa;
    this.tlsReloadInterval = b.tlsReloadInterval;
    this.authorization = b.authorization;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults: 127.0.0.1, an ephemeral port, 1 MiB bodies, 8 KiB headers, 10 s drain. */
  public static ServerConfig defaults() {
    return builder().build();
  }

  /** Binds a YAML section (see the class comment) into a config. */
  public static ServerConfig bind(ConfigReader r) {
    Builder b = builder();
    r.string("host", b::host)
        .integer("port", b::port)
        .integer("max-body-size", b::maxBodySize)
        .integer("max-header-size", b::maxHeaderSize)
        .integer("max-initial-line-length", b::maxInitialLineLength)
        .duration("drain-budget", b::drainBudget)
        .duration("max-deadline", b::maxDeadline)
        .duration("default-deadline", b::defaultDeadline)
        .duration("retry-after", b::retryAfter)
        .duration("idle-timeout", b::idleTimeout)
        .duration("request-head-timeout", b::requestHeadTimeout)
        .integer("max-connections", b::maxConnections)
        .integer("max-connections-per-address", b::maxConnectionsPerAddress)
        .string("service", b::service)
        .string("instance", b::instance);
    r.section(
        "tls",
        t -> {
          t.require("key-store").require("password");
          t.string("key-store", s -> b.tls(Path.of(s), b.keyStorePassword))
              .string("password", p -> b.keyStorePassword = p)
              .string("client-ca", s -> b.clientCa(Path.of(s)))
              .duration("reload-interval", b::tlsReloadInterval);
          return b;
        });
    AuthorizationPolicy policy = AuthorizationPolicy.bind(r, "authorization");
    if (policy != null) {
      if (b.clientCa == null) {
        r.reject("authorization needs tls.client-ca: callers are known only under mutual TLS");
      } else {
        b.authorization(policy);
      }
    }
    return b.build();
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public int maxBodySize() {
    return maxBodySize;
  }

  public int maxHeaderSize() {
    return maxHeaderSize;
  }

  public int maxInitialLineLength() {
    return maxInitialLineLength;
  }

  public Duration drainBudget() {
    return drainBudget;
  }

  public Duration maxDeadline() {
    return maxDeadline;
  }

  public @Nullable Duration defaultDeadline() {
    return defaultDeadline;
  }

  public Duration retryAfter() {
    return retryAfter;
  }

  /** A connection with no byte read or written for this long is closed. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /**
   * An HTTP/1.x request head (request line and headers) must be complete this long after its first
   * byte arrived, however steadily its bytes trickle in; else the connection gets 408 and is
   * closed.
   */
  public Duration requestHeadTimeout() {
    return requestHeadTimeout;
  }

  /** Open connections at most, from all clients; requests beyond get 503 and the close. */
  public int maxConnections() {
    return maxConnections;
  }

  /** Open connections at most from one client IP address; requests beyond get 503. */
  public int maxConnectionsPerAddress() {
    return maxConnectionsPerAddress;
  }

  /** A builder holding this config's settings. */
  public Builder toBuilder() {
    Builder b =
        builder()
            .host(host)
            .port(port)
            .maxBodySize(maxBodySize)
            .maxHeaderSize(maxHeaderSize)
            .maxInitialLineLength(maxInitialLineLength)
            .drainBudget(drainBudget)
            .maxDeadline(maxDeadline)
            .retryAfter(retryAfter)
            .idleTimeout(idleTimeout)
            .requestHeadTimeout(requestHeadTimeout)
            .maxConnections(maxConnections)
            .maxConnectionsPerAddress(maxConnectionsPerAddress);
    b.service = service;
    b.instance = instance;
    b.defaultDeadline = defaultDeadline;
    b.keyStore = keyStore;
    b.keyStorePassword = keyStorePassword;
    b.clientCa = clientCa;
    b.tlsReloadInterval = tlsReloadInterval;
    b.authorization = authorization;
    return b;
  }

  /** The PKCS#12 key store for TLS, or null for plain HTTP. */
  public @Nullable Path keyStore() {
    return keyStore;
  }

  public String keyStorePassword() {
    return keyStorePassword;
  }

  /**
   * The PEM certificates a client's certificate must chain to (mutual TLS: a client without one is
   * refused in the handshake), or null if clients are not asked for one.
   */
  public @Nullable Path clientCa() {
    return clientCa;
  }

  /**
   * How often the TLS files are read again (default 10 s): a changed key store or client CA that
   * loads is used for new handshakes, so short-lived certificates are renewed without a restart.
   */
  public Duration tlsReloadInterval() {
    return tlsReloadInterval;
  }

  /** Which workloads may call which routes, or null if any caller may. */
  public @Nullable AuthorizationPolicy authorization() {
    return authorization;
  }

  /** The service this server belongs to, as fault injection's blast radius names it ("" unset). */
  public String service() {
    return service;
  }

  /** The instance id of this server, as fault injection's blast radius names it ("" unset). */
  public String instance() {
    return instance;
  }

  /** Builds a {@link ServerConfig}; every setter validates its argument. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private int maxBodySize = 1 << 20;
    private int maxHeaderSize = 8192;
    private int maxInitialLineLength = 4096;
    private Duration drainBudget = Duration.ofSeconds(10);
    private Duration maxDeadline = Duration.ofSeconds(60);
    private @Nullable Duration defaultDeadline;
    private Duration retryAfter = Duration.ofSeconds(1);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration requestHeadTimeout = Duration.ofSeconds(10);
    private int maxConnections = 10_000;
    private int maxConnectionsPerAddress = 1000;
    private @Nullable Path keyStore;
    private String keyStorePassword = "";
    private @Nullable Path clientCa;
    private Duration tlsReloadInterval = Duration.ofSeconds(10);
    private @Nullable AuthorizationPolicy authorization;
    private String service = "";
    private String instance = "";

    private Builder() {}

    /** The service this server belongs to (for fault injection's blast radius). */
    public Builder service(String service) {
      this.service = Checks.notBlank("service", service);
      return this;
    }

    /** The instance id of this server (for fault injection's blast radius). */
    public Builder instance(String instance) {
      this.instance = Checks.notBlank("instance", instance);
      return this;
    }

    public Builder host(String host) {
      this.host = Checks.notBlank("host", host);
      return this;
    }

    /** 0 picks a free port. */
    public Builder port(int port) {
      this.port = Checks.inRange("port", port, 0, 65535);
      return this;
    }

    public Builder maxBodySize(int bytes) {
      this.maxBodySize = Checks.atLeast("maxBodySize", bytes, 0);
      return this;
    }

    public Builder maxHeaderSize(int bytes) {
      this.maxHeaderSize = Checks.atLeast("maxHeaderSize", bytes, 256);
      return this;
    }

    public Builder maxInitialLineLength(int bytes) {
      this.maxInitialLineLength = Checks.atLeast("maxInitialLineLength", bytes, 64);
      return this;
    }

    public Builder drainBudget(Duration budget) {
      this.drainBudget = Checks.notNegative("drainBudget", budget);
      return this;
    }

    public Builder maxDeadline(Duration maxDeadline) {
      this.maxDeadline = Checks.positive("maxDeadline", maxDeadline);
      return this;
    }

    public Builder defaultDeadline(Duration defaultDeadline) {
      this.defaultDeadline = Checks.positive("defaultDeadline", defaultDeadline);
      return this;
    }

    public Builder retryAfter(Duration retryAfter) {
      this.retryAfter = Checks.notNegative("retryAfter", retryAfter);
      return this;
    }

    /** Default 60 s; a connection with no traffic either way for this long is closed. */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = atLeastMillis("idleTimeout", timeout);
      return this;
    }

    /**
     * Default 10 s: an HTTP/1.x request head not complete this long after its first byte gets 408
     * and the connection is closed (a slow-header attack keeps no connection for longer).
     */
    public Builder requestHeadTimeout(Duration timeout) {
      this.requestHeadTimeout = atLeastMillis("requestHeadTimeout", timeout);
      return this;
    }

    /** Default 10,000 open connections in all. */
    public Builder maxConnections(int connections) {
      this.maxConnections = Checks.atLeast("maxConnections", connections, 1);
      return this;
    }

    /** Default 1,000 open connections per client IP address; not more than maxConnections. */
    public Builder maxConnectionsPerAddress(int connections) {
      this.maxConnectionsPerAddress = Checks.atLeast("maxConnectionsPerAddress", connections, 1);
      return this;
    }

    /** Serve HTTPS (and HTTP/2 over ALPN) with the PKCS#12 key store at {@code keyStore}. */
    public Builder tls(Path keyStore, String password) {
      this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
      this.keyStorePassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Requires mutual TLS: every client must present a certificate that chains to one of the PEM
     * certificates in {@code caFile} (checked when this is called: the file must hold at least one
     * X.509 certificate). Needs {@link #tls}. The caller's {@link
     * io.bulwark.core.identity.WorkloadIdentity} is then {@link Request#peer()}.
     */
    public Builder clientCa(Path caFile) {
      Objects.requireNonNull(caFile, "caFile");
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(caFile)) {
        if (java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificates(in)
            .isEmpty()) {
          throw new IllegalArgumentException("client-ca " + caFile + " holds no PEM certificate");
        }
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(
            "client-ca " + caFile + " cannot be read: " + e.getMessage(), e);
      } catch (java.security.cert.CertificateException e) {
        throw new IllegalArgumentException(
            "client-ca " + caFile + " is not PEM certificates: " + e.getMessage(), e);
      }
      this.clientCa = caFile;
      return this;
    }

    /** How often the TLS files are read again (default 10 s, at least 1 ms). */
    public Builder tlsReloadInterval(Duration interval) {
      this.tlsReloadInterval = atLeastMillis("tlsReloadInterval", interval);
      return this;
    }

    /**
     * Lets through only the callers {@code policy} allows on each route (see {@link
     * AuthorizationPolicy}). Needs {@link #clientCa}.
     */
    public Builder authorization(AuthorizationPolicy policy) {
      this.authorization = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public ServerConfig build() {
      if (clientCa != null && keyStore == null) {
        throw new IllegalArgumentException(
            "clientCa needs tls (a key store): mutual TLS is TLS first");
      }
      if (authorization != null && clientCa == null) {
        throw new IllegalArgumentException(
            "authorization needs clientCa: callers are known only under mutual TLS");
      }
      Duration d = defaultDeadline;
      if (d != null && d.compareTo(maxDeadline) > 0) {
        throw new IllegalArgumentException(
            "defaultDeadline " + d + " is longer than maxDeadline " + maxDeadline);
      }
      if (maxConnectionsPerAddress > maxConnections) {
        throw new IllegalArgumentException(
            "maxConnectionsPerAddress "
                + maxConnectionsPerAddress
                + " is more than maxConnections "
                + maxConnections);
      }
      return new ServerConfig(this);
    }

    /** Timeouts are enforced in whole milliseconds: at least 1 ms. */
    private static Duration atLeastMillis(String name, Duration d) {
      if (d.toMillis() < 1) {
        throw new IllegalArgumentException(name + " must be at least 1ms, was " + d);
      }
      return d;
    }
  }
}
