package io.bulwark.http.client;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import io.bulwark.http.health.HealthCheckConfig;
import io.bulwark.http.health.OutlierConfig;
import io.bulwark.http.lb.Balancing;
import io.bulwark.http.lb.SlowStart;
import io.bulwark.resilience.CircuitBreakerConfig;
import io.bulwark.resilience.RetryConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of one named client. From YAML (one entry under {@code clients:}):
 *
 * <pre>{@code
 * orders:
 *   service: orders            # logical service name looked up in discovery
 *   balancer: peak-ewma        # round-robin | least-request | peak-ewma | ring-hash | maglev
 *   timeout: 2s                # per attempt; never more than the caller's remaining deadline
 *   connect-timeout: 1s
 *   protocol: http-1-1         # or http-2 (h2c prior knowledge, ALPN with TLS)
 *   pool-size: 32               # connections per endpoint (HTTP/1.1)
 *   tls: {trust-store: ca.p12, password: secret, verify-host: true}
 *   # mutual TLS, inside tls: key-store: orders.p12, key-password: secret (this client's own
 *   # certificate), server-identity: spiffe://shop/inventory (what the server must prove, in place
 *   # of its host name), reload-interval: 10s (how often the files are read again)
 *   slow-start: {window: 30s, min-weight: 0.1}
 *   zone: {local: eu-1a, min-healthy-share: 0.5}
 *   outlier: {consecutive-failures: 5, base-ejection: 30s, max-ejected-share: 0.5}
 *   health-check: {path: /health/ready, interval: 5s}
 *   retry: {max-attempts: 3, initial-delay: 25ms, multiplier: 2, max-delay: 1s}
 *   circuit-breaker: {window-size: 100, minimum-calls: 20, failure-rate-threshold: 50, wait-in-open: 30s}
 *   endpoint-circuit-breaker: {window-size: 20, minimum-calls: 10, failure-rate-threshold: 50, wait-in-open: 10s}
 *   pipeline: payments-strict  # or: a named bulwark-resilience pipeline instead of retry + breaker
 * }</pre>
 *
 * <p>Every call of the client goes through a resilience pipeline: one attached in code ({@link
 * HttpClients.Builder#pipeline}), or the named {@code pipeline} (looked up in {@link
 * HttpClients.Builder#pipelines}), else one built from {@code retry} and {@code circuit-breaker}.
 * Those two sections, and {@code endpoint-circuit-breaker} (with which each endpoint also gets a
 * breaker of its own that takes a failing instance out of the balancer's choice), are bound by
 * bulwark-resilience's binders: every key of a registry pipeline's {@code retry} and {@code
 * circuit-breaker} works here the same way, and the defaults are resilience's ({@link
 * RetryConfig#builder()}: 3 attempts, 100 ms initial delay doubling up to 10 s with full jitter,
 * retrying what the error taxonomy calls retriable; {@link CircuitBreakerConfig#ofDefaults()}: a
 * count-based window of 100 calls, at least 100 calls, opening at 50 % failures, 60 s open, 10
 * half-open probes).
 */
public final class ClientConfig {
  /** Wire protocol. */
  public enum Protocol {
    HTTP_1_1,
    HTTP_2
  }

  private final String service;
  private final Balancing balancing;
  private final Duration timeout;
  private final Duration connectTimeout;
  private final Protocol protocol;
  private final int poolSize;
  private final boolean tls;
  private final @Nullable Path trustStore;
  private final String trustStorePassword;
  private final boolean verifyHost;
  private final @Nullable Path keyStore;
  private final Duration tlsReloadInterval;
  private final String keyStorePassword;
  private final io.bulwark.core.identity.@Nullable WorkloadIdentity serverIdentity;
  private final SlowStart slowStart;
  private final @Nullable String localZone;
  private final double zoneMinHealthyShare;
  private final OutlierConfig outlier;
  private final @Nullable HealthCheckConfig healthCheck;
  private final Duration ewmaDecay;
  private final RetryConfig retry;
  private final CircuitBreakerConfig circuitBreaker;
  private final @Nullable CircuitBreakerConfig endpointCircuitBreaker;
  private final @Nullable String pipeline;

  private ClientConfig(Builder b) {
    this.service = Objects.requireNonNull(b.service, "service");
    this.balancing = b.balancing;
    this.timeout = b.timeout;
    this.connectTimeout = b.connectTimeout;
    this.protocol = b.protocol;
    this.poolSize = b.poolSize;
    this.tls = b.tls;
    this.trustStore = b.trustStore;
    this.trustStorePassword = b.trustStorePassword;
    this.verifyHost = b.verifyHost;
    this.keyStore = b.keyStore;
    this.tlsReloadInterval = b.tlsReloadInterval;
    this.keyStorePassword = b.keyStorePassword;
    this.serverIdentity = b.serverIdentity;
    this.slowStart = b.slowStart;
    this.localZone = b.localZone;
    this.zoneMinHealthyShare = b.zoneMinHealthyShare;
    this.outlier = b.outlier;
    this.healthCheck = b.healthCheck;
    this.ewmaDecay = b.ewmaDecay;
    this.retry = b.retry;
    this.circuitBreaker = b.circuitBreaker;
    this.endpointCircuitBreaker = b.endpointCircuitBreaker;
    this.pipeline = b.pipeline;
  }

  /** A builder for a client of logical service {@code service}. */
  public static Builder builder(String service) {
    return new Builder(service);
  }

  /**
   * A builder holding this config's values: {@code toBuilder().build()} equals this in every field,
   * so a copy can change one setting and keep the rest.
   */
  public Builder toBuilder() {
    Builder b = new Builder(service);
    b.balancing = balancing;
    b.timeout = timeout;
    b.connectTimeout = connectTimeout;
    b.protocol = protocol;
    b.poolSize = poolSize;
    b.tls = tls;
    b.trustStore = trustStore;
    b.trustStorePassword = trustStorePassword;
    b.verifyHost = verifyHost;
    b.keyStore = keyStore;
    b.tlsReloadInterval = tlsReloadInterval;
    b.keyStorePassword = keyStorePassword;
    b.serverIdentity = serverIdentity;
    b.slowStart = slowStart;
    b.localZone = localZone;
    b.zoneMinHealthyShare = zoneMinHealthyShare;
    b.outlier = outlier;
    b.healthCheck = healthCheck;
    b.ewmaDecay = ewmaDecay;
    b.retry = retry;
    b.circuitBreaker = circuitBreaker;
    b.endpointCircuitBreaker = endpointCircuitBreaker;
    b.pipeline = pipeline;
    return b;
  }

  /**
   * Binds one client section; {@code name} is the default service name. The {@code retry}, {@code
   * circuit-breaker} and {@code endpoint-circuit-breaker} sections take the keys of
   * bulwark-resilience's {@link RetryConfig#bind} and {@link CircuitBreakerConfig#bind}, with their
   * defaults.
   */
  public static ClientConfig bind(String name, ConfigReader r) {
    return ClientYaml.bind(name, r);
  }

  public String service() {
    return service;
  }

  public Balancing balancing() {
    return balancing;
  }

  public Duration timeout() {
    return timeout;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Protocol protocol() {
    return protocol;
  }

  public int poolSize() {
    return poolSize;
  }

  public boolean tls() {
    return tls;
  }

  public @Nullable Path trustStore() {
    return trustStore;
  }

  public String trustStorePassword() {
    return trustStorePassword;
  }

  public boolean verifyHost() {
    return verifyHost;
  }

  /**
   * How often the key store and trust store are read again (default 10 s): changed files that load
   * are used for new connections, so short-lived certificates are renewed without a restart.
   */
  public Duration tlsReloadInterval() {
    return tlsReloadInterval;
  }

  /** This client's own certificate and key (PKCS#12), presented for mutual TLS; or null. */
  public @Nullable Path keyStore() {
    return keyStore;
  }

  public String keyStorePassword() {
    return keyStorePassword;
  }

  /**
   * The workload every server this client calls must prove it is (its certificate's one {@code
   * spiffe://} URI name), checked in the handshake in place of the host name; or null.
   */
  public io.bulwark.core.identity.@Nullable WorkloadIdentity serverIdentity() {
    return serverIdentity;
  }

  public SlowStart slowStart() {
    return slowStart;
  }

  public @Nullable String localZone() {
    return localZone;
  }

  public double zoneMinHealthyShare() {
    return zoneMinHealthyShare;
  }

  public OutlierConfig outlier() {
    return outlier;
  }

  public @Nullable HealthCheckConfig healthCheck() {
    return healthCheck;
  }

  public Duration ewmaDecay() {
    return ewmaDecay;
  }

  /** The retry of the default pipeline. */
  public RetryConfig retry() {
    return retry;
  }

  /** The circuit breaker of the default pipeline. */
  public CircuitBreakerConfig circuitBreaker() {
    return circuitBreaker;
  }

  /**
   * The circuit breaker each endpoint of the client gets of its own (named {@code
   * <client>@<endpoint id>}), or null for none: an endpoint whose breaker refuses a call is left
   * out of the balancer's choice. Independent of the pipeline ({@link #circuitBreaker()} or {@link
   * #pipeline()}), which guards the service as a whole.
   */
  public @Nullable CircuitBreakerConfig endpointCircuitBreaker() {
    return endpointCircuitBreaker;
  }

  /** The name of a registered pipeline to use instead of the default one, or null. */
  public @Nullable String pipeline() {
    return pipeline;
  }

  /** Builds a {@link ClientConfig}; setters validate and name the bad value. */
  public static final class Builder {
    private String service = "";
    private Balancing balancing = Balancing.PEAK_EWMA;
    private Duration timeout = Duration.ofSeconds(5);
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Protocol protocol = Protocol.HTTP_1_1;
    private int poolSize = 32;
    private boolean tls;
    private @Nullable Path trustStore;
    private String trustStorePassword = "";
    private boolean verifyHost = true;
    private @Nullable Path keyStore;
    private Duration tlsReloadInterval = Duration.ofSeconds(10);
    private String keyStorePassword = "";
    private io.bulwark.core.identity.@Nullable WorkloadIdentity serverIdentity;
    private SlowStart slowStart = SlowStart.NONE;
    private @Nullable String localZone;
    private double zoneMinHealthyShare = 0.5;
    private OutlierConfig outlier = OutlierConfig.defaults();
    private @Nullable HealthCheckConfig healthCheck;
    private Duration ewmaDecay = Duration.ofSeconds(10);
    private RetryConfig retry = RetryConfig.builder().build();
    private CircuitBreakerConfig circuitBreaker = CircuitBreakerConfig.ofDefaults();
    private @Nullable CircuitBreakerConfig endpointCircuitBreaker;
    private @Nullable String pipeline;

    private Builder(String service) {
      service(service);
    }

    public Builder service(String service) {
      if (service.isBlank()) {
        throw new IllegalArgumentException("service must not be blank");
      }
      this.service = service;
      return this;
    }

    public Builder balancing(Balancing balancing) {
      this.balancing = Objects.requireNonNull(balancing, "balancing");
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = Checks.positive("timeout", timeout);
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Checks.positive("connectTimeout", connectTimeout);
      return this;
    }

    public Builder protocol(Protocol protocol) {
      this.protocol = Objects.requireNonNull(protocol, "protocol");
      return this;
    }

    public Builder poolSize(int poolSize) {
      if (poolSize < 1 || poolSize > 10_000) {
        throw new IllegalArgumentException("poolSize must be 1..10000, was " + poolSize);
      }
      this.poolSize = poolSize;
      return this;
    }

    /** Use TLS; with no trust store the JVM's default trust applies. */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /** Use TLS and trust the certificates in the PKCS#12 {@code trustStore}. */
    public Builder trustStore(Path trustStore, String password) {
      this.tls = true;
      this.trustStore = Objects.requireNonNull(trustStore, "trustStore");
      this.trustStorePassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Use TLS and present the certificate and key in the PKCS#12 {@code keyStore} to servers that
     * ask for one (mutual TLS).
     */
    public Builder keyStore(Path keyStore, String password) {
      this.tls = true;
      this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
      this.keyStorePassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Use TLS and accept only servers whose certificate (trusted as usual) names {@code identity}:
     * the handshake fails before a request byte is sent otherwise. Replaces host-name verification
     * (a workload certificate names a workload, not a host).
     */
    public Builder serverIdentity(io.bulwark.core.identity.WorkloadIdentity identity) {
      this.tls = true;
      this.serverIdentity = Objects.requireNonNull(identity, "identity");
      return this;
    }

    /** How often the TLS files are read again (default 10 s, at least 1 ms). */
    public Builder tlsReloadInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.toMillis() < 1) {
        throw new IllegalArgumentException(
            "tlsReloadInterval must be at least 1ms, was " + interval);
      }
      this.tlsReloadInterval = interval;
      return this;
    }

    public Builder verifyHost(boolean verifyHost) {
      this.verifyHost = verifyHost;
      return this;
    }

    public Builder slowStart(SlowStart slowStart) {
      this.slowStart = Objects.requireNonNull(slowStart, "slowStart");
      return this;
    }

    /**
     * Prefer endpoints in {@code zone} while at least {@code minHealthyShare} of them are usable.
     */
    public Builder zonePreference(String zone, double minHealthyShare) {
      if (zone.isBlank()) {
        throw new IllegalArgumentException("zone must not be blank");
      }
      if (!(minHealthyShare > 0 && minHealthyShare <= 1)) {
        throw new IllegalArgumentException(
            "minHealthyShare must be in (0, 1], was " + minHealthyShare);
      }
      this.localZone = zone;
      this.zoneMinHealthyShare = minHealthyShare;
      return this;
    }

    public Builder outlier(OutlierConfig outlier) {
      this.outlier = Objects.requireNonNull(outlier, "outlier");
      return this;
    }

    public Builder healthCheck(HealthCheckConfig healthCheck) {
      this.healthCheck = Objects.requireNonNull(healthCheck, "healthCheck");
      return this;
    }

    /** The peak-EWMA time constant (default 10 s). */
    public Builder ewmaDecay(Duration decay) {
      this.ewmaDecay = Checks.positive("ewmaDecay", decay);
      return this;
    }

    /** The retry of the default pipeline (default: {@code RetryConfig.builder().build()}). */
    public Builder retry(RetryConfig retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /**
     * The circuit breaker of the default pipeline (default: {@link
     * CircuitBreakerConfig#ofDefaults()}).
     */
    public Builder circuitBreaker(CircuitBreakerConfig circuitBreaker) {
      this.circuitBreaker = Objects.requireNonNull(circuitBreaker, "circuitBreaker");
      return this;
    }

    /**
     * Gives every endpoint a circuit breaker of its own with {@code config} (see {@link
     * ClientConfig#endpointCircuitBreaker()}); default: none.
     */
    public Builder endpointCircuitBreaker(CircuitBreakerConfig config) {
      this.endpointCircuitBreaker = Objects.requireNonNull(config, "endpointCircuitBreaker");
      return this;
    }

    /** Use the registered pipeline {@code name} instead of retry + circuit breaker. */
    public Builder pipeline(String name) {
      if (name.isBlank()) {
        throw new IllegalArgumentException("pipeline name must not be blank");
      }
      this.pipeline = name;
      return this;
    }

    public ClientConfig build() {
      return new ClientConfig(this);
    }
  }
}
