package io.bulwark.http.client;

import io.bulwark.core.config.ConfigReader;
import io.bulwark.http.health.HealthCheckConfig;
import io.bulwark.http.health.OutlierConfig;
import io.bulwark.http.lb.Balancing;
import io.bulwark.http.lb.SlowStart;
import io.bulwark.resilience.CircuitBreakerConfig;
import io.bulwark.resilience.RetryConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Binds one client section of YAML ({@link ClientConfig#bind}), one group of keys per method. The
 * {@code retry}, {@code circuit-breaker} and {@code endpoint-circuit-breaker} sections are bound by
 * bulwark-resilience's own binders ({@link RetryConfig#bind}, {@link CircuitBreakerConfig#bind}):
 * the same keys, validation and defaults as in a resilience registry's pipelines.
 */
final class ClientYaml {
  private ClientYaml() {}

  static ClientConfig bind(String name, ConfigReader r) {
    ClientConfig.Builder b = ClientConfig.builder(name);
    wire(r, b);
    resilience(r, b);
    balancing(r, b);
    return b.build();
  }

  /** Service, timeouts, protocol, pool and TLS. */
  private static void wire(ConfigReader r, ClientConfig.Builder b) {
    r.string("service", b::service)
        .enumValue("balancer", Balancing.class, b::balancing)
        .duration("timeout", b::timeout)
        .duration("connect-timeout", b::connectTimeout)
        .enumValue("protocol", ClientConfig.Protocol.class, b::protocol)
        .integer("pool-size", b::poolSize)
        .duration("ewma-decay", b::ewmaDecay)
        .string("pipeline", b::pipeline);
    r.section("tls", t -> tls(t, b));
  }

  private static ClientConfig.Builder tls(ConfigReader t, ClientConfig.Builder b) {
    @Nullable Path[] store = {null};
    String[] password = {""};
    @Nullable Path[] keyStore = {null};
    String[] keyPassword = {""};
    t.string("trust-store", s -> store[0] = Path.of(s))
        .string("password", p -> password[0] = p)
        .bool("verify-host", b::verifyHost)
        .string("key-store", s -> keyStore[0] = Path.of(s))
        .string("key-password", p -> keyPassword[0] = p)
        .duration("reload-interval", b::tlsReloadInterval)
        .string(
            "server-identity",
            s -> b.serverIdentity(io.bulwark.core.identity.WorkloadIdentity.parse(s)));
    b.tls(true);
    Path own = keyStore[0];
    if (own != null) {
      b.keyStore(own, keyPassword[0]);
    } else if (t.has("key-password")) {
      t.reject("key-password is given without key-store");
    }
    Path trustStore = store[0];
    if (trustStore != null) {
      b.trustStore(trustStore, password[0]);
    }
    return b;
  }

  /** The default pipeline's retry and breaker, and the per-endpoint breaker. */
  private static void resilience(ConfigReader r, ClientConfig.Builder b) {
    RetryConfig retry = r.section("retry", RetryConfig::bind);
    if (retry != null) {
      b.retry(retry);
    }
    CircuitBreakerConfig breaker = r.section("circuit-breaker", CircuitBreakerConfig::bind);
    if (breaker != null) {
      b.circuitBreaker(breaker);
    }
    CircuitBreakerConfig perEndpoint =
        r.section("endpoint-circuit-breaker", CircuitBreakerConfig::bind);
    if (perEndpoint != null) {
      b.endpointCircuitBreaker(perEndpoint);
    }
  }

  /** Slow start, zone preference, outlier detection and active health checks. */
  private static void balancing(ConfigReader r, ClientConfig.Builder b) {
    r.section("slow-start", s -> slowStart(s, b));
    r.section("zone", z -> zone(z, b));
    OutlierConfig outlier = r.section("outlier", OutlierConfig::bind);
    if (outlier != null) {
      b.outlier(outlier);
    }
    HealthCheckConfig health = r.section("health-check", HealthCheckConfig::bind);
    if (health != null) {
      b.healthCheck(health);
    }
  }

  private static ClientConfig.Builder slowStart(ConfigReader s, ClientConfig.Builder b) {
    Duration[] window = {Duration.ZERO};
    double[] min = {0.1};
    s.duration("window", v -> window[0] = v).decimal("min-weight", v -> min[0] = v);
    return b.slowStart(new SlowStart(window[0], min[0]));
  }

  private static ClientConfig.Builder zone(ConfigReader z, ClientConfig.Builder b) {
    z.require("local");
    double[] share = {0.5};
    z.decimal("min-healthy-share", v -> share[0] = v);
    z.string("local", v -> b.zonePreference(v, share[0]));
    return b;
  }
}
